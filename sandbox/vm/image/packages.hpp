// The host's installed Debian packages, as dpkg knows them: enough to take
// the dependency closure of a language's toolchain packages and list the
// files that make it up, so the root image carries exactly the host's
// toolchains and what they need, not the whole of /usr.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ringfence/error.hpp"

namespace ringfence::vm::image {

struct InstalledPackage {
    std::string name;
    std::string arch;
    std::vector<std::vector<std::string>> depends;  // Depends + Pre-Depends; inner: alternatives
    std::vector<std::string> provides;
};

class PackageDb {
public:
    // Reads `dpkg-query -W` output in the format of kQueryFormat.
    static PackageDb parse(const std::string& query_output, const std::string& native_arch);
    static Result<PackageDb> load();
    static const char* const kQueryFormat;

    bool installed(const std::string& name) const { return packages_.count(name) != 0; }
    // Every installed package `roots` need, roots included, sorted. A root that
    // is not installed is an error naming it; unsatisfiable alternatives are skipped.
    Result<std::vector<std::string>> closure(const std::vector<std::string>& roots) const;
    // Paths dpkg installed for `name` (from /var/lib/dpkg/info/NAME[:ARCH].list).
    Result<std::vector<std::string>> files_of(const std::string& name, const std::string& info_dir = "/var/lib/dpkg/info") const;

private:
    std::string resolve(const std::string& dependency) const;  // installed package or ""

    std::map<std::string, InstalledPackage> packages_;
    std::map<std::string, std::string> providers_;  // virtual name -> an installed provider
};

}  // namespace ringfence::vm::image
