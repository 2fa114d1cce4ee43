// Security profiles are data (profiles/sandbox/*.json): which host paths a
// sandbox sees and which system calls it may make. Code only enforces them.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ringfence/error.hpp"

namespace ringfence {

struct MountEntry {
    std::string source;  // host path
    std::string target;  // path inside the sandbox
    bool optional = false;  // skip silently when the host lacks the source
};

struct SecurityProfile {
    std::string name;
    std::string description;
    std::vector<MountEntry> mounts;       // always read-only, nosuid, nodev
    std::vector<std::string> syscalls;    // allowlist, groups already expanded
    bool network_allowed = false;         // a run may then ask to share the host network
    std::map<std::string, std::string> files;  // small files created inside (/etc/passwd...)
};

// Loads security profiles from a directory, falling back to the copies
// embedded in the binary at build time, so `ringfence run` works from anywhere.
class ProfileStore {
public:
    // dir may be empty: then only the embedded profiles are used.
    explicit ProfileStore(std::filesystem::path dir = {});

    Result<std::shared_ptr<const SecurityProfile>> security(const std::string& name) const;
    std::vector<std::string> security_names() const;

    // Raw JSON text of a data file by its relative path ("languages/cpp.json"),
    // from the directory first, then the embedded copy.
    Result<std::string> read_text(const std::string& relative_path) const;
    std::vector<std::string> list(const std::string& relative_dir) const;

    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
};

// Parses a security profile JSON document. `groups_json` is
// profiles/seccomp/groups.json: named syscall groups a profile may reference.
Result<SecurityProfile> parse_security_profile(const std::string& json_text,
                                               const std::string& groups_json);

}  // namespace ringfence
