// What this host supports, and for each missing piece the exact fix.
#pragma once

#include <string>
#include <vector>

namespace ringfence {

struct HostFinding {
    std::string name;    // "unprivileged user namespaces", "cgroup v2 memory", ...
    bool ok = false;
    bool required = true;  // false: optional feature (KVM, Landlock)
    std::string detail;  // what was found
    std::string fix;     // what to do when !ok (command, sysctl, group)
};

struct HostReport {
    std::vector<HostFinding> findings;
    bool ready() const;  // every required finding ok
};

HostReport check_host();
std::string to_text(const HostReport& report);
std::string to_json(const HostReport& report);

}  // namespace ringfence
