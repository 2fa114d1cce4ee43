#include <cstdio>
#include <cstring>

#include "commands.hpp"
#include "host/check.hpp"
#include "ringfence/host_check.hpp"

namespace ringfence::cli {

int cmd_check(int argc, char** argv) {
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::printf(
                "usage: ringfence check [--json]\n\n"
                "Probes what this host offers the sandbox (user namespaces, AppArmor, cgroups,\n"
                "seccomp, Landlock, pidfd/clone3, the mount API, /dev/kvm) and prints the fix\n"
                "for each missing piece. Exit status 0 when every required feature works.\n"
                "The cgroup root is taken from RINGFENCE_CGROUP_ROOT when set.\n\n"
                "  --json   print the report as JSON: {\"ready\": bool, \"findings\": [...]}\n");
            return 0;
        } else {
            std::fprintf(stderr, "ringfence check: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    HostReport report = check_host();
    // The micro-VM tier: KVM and why not, QEMU, the guest kernel, a verified image.
    for (auto& finding : vm::vm_host_findings(vm::VmConfig{})) report.findings.push_back(std::move(finding));
    std::string text = json ? to_json(report) + "\n" : to_text(report);
    std::fputs(text.c_str(), stdout);
    return report.ready() ? 0 : 1;
}

}  // namespace ringfence::cli
