// The cgroup part of `ringfence check`: what is mounted, what we can use,
// and a real probe group proving the subtree is writable.
#include <unistd.h>

#include "cgroup_detect.hpp"
#include "cgroup_files.hpp"

namespace ringfence::cgroup {

namespace {

std::string strip_prefix(const std::string& path, const std::string& fs_prefix) {
    return path.rfind(fs_prefix, 0) == 0 ? path.substr(fs_prefix.size()) : path;
}

HostFinding v2_finding(const Mounts& m, const std::string& fs_prefix) {
    HostFinding f{"cgroup v2", false, false, "", ""};
    if (m.v2.empty()) {
        f.detail = "no cgroup2 filesystem mounted";
    } else {
        std::string offered = v2_offered_controllers(m);
        f.ok = contains_word(offered, "memory") && contains_word(offered, "pids");
        f.detail = "mounted at " + strip_prefix(m.v2, fs_prefix) + ", controllers offered: " +
                   (offered.empty() ? std::string("none") : offered);
    }
    if (!f.ok)
        f.fix = "only needed where cgroup v1 is not usable: boot with "
                "systemd.unified_cgroup_hierarchy=1 so cgroup v2 offers memory and pids";
    return f;
}

HostFinding v1_finding(const Mounts& m, const std::string& fs_prefix) {
    HostFinding f{"cgroup v1", true, false, "", ""};
    std::string found, missing, others;
    for (const char* c : {"memory", "pids", "cpuacct"}) {
        auto it = m.v1.find(c);
        if (it == m.v1.end()) {
            missing += std::string(missing.empty() ? "" : ", ") + c;
            f.ok = false;
        } else {
            found += std::string(found.empty() ? "" : ", ") + c + " at " +
                     strip_prefix(it->second, fs_prefix);
        }
    }
    for (const auto& [controller, where] : m.v1)
        if (controller != "memory" && controller != "pids" && controller != "cpuacct")
            others += (others.empty() ? "" : " ") + controller;
    f.detail = found.empty() ? "no v1 controllers we use are mounted" : found;
    if (!missing.empty()) f.detail += "; missing: " + missing;
    if (!others.empty()) f.detail += "; also mounted: " + others;
    if (!f.ok)
        f.fix = "only needed where cgroup v2 is not usable: mount the missing controllers, "
                "e.g. mkdir -p /sys/fs/cgroup/pids && mount -t cgroup -o pids cgroup "
                "/sys/fs/cgroup/pids";
    return f;
}

// Detection's errors end in "Fix: ..."; the report shows that part on its own line.
void split_fix(const Error& error, const std::string& fallback, HostFinding& f) {
    std::string text = error.describe();
    auto at = text.find(" Fix: ");
    if (at == std::string::npos) {
        f.detail = text;
        f.fix = fallback;
    } else {
        f.detail = text.substr(0, at);
        f.fix = text.substr(at + 6);
    }
}

}  // namespace

std::vector<HostFinding> check_cgroups(const CgroupOptions& options, const DetectHost& host) {
    std::vector<HostFinding> findings;
    auto mounts = read_mounts(options.fs_prefix);
    if (!mounts) {
        findings.push_back({"cgroup limits", false, true, mounts.error().describe(),
                            "mount /proc (ringfence reads /proc/self/mountinfo)"});
        return findings;
    }
    findings.push_back(v2_finding(*mounts, options.fs_prefix));
    findings.push_back(v1_finding(*mounts, options.fs_prefix));

    const std::string delegate_fix =
        "run ringfence as root, or give it a delegated, writable cgroup subtree (systemd "
        "Delegate=yes, or as root `mkdir /sys/fs/cgroup/ringfence && chown -R " + host.user +
        " /sys/fs/cgroup/ringfence`; on cgroup v1 the same for each of memory, pids and cpuacct) "
        "and set RINGFENCE_CGROUP_ROOT to it";
    HostFinding limits{"cgroup limits", false, true, "", ""};
    HostFinding peak{"memory peak reset", false, false, "", ""};
    auto backend = detect_cgroups(options, host);
    if (!backend) {
        split_fix(backend.error(), delegate_fix, limits);
        peak.detail = "no usable cgroup";
        peak.fix = "make cgroups usable first (see cgroup limits)";
        findings.push_back(limits);
        findings.push_back(peak);
        return findings;
    }
    // A real group: creating, limiting, reading and removing it proves the subtree works.
    std::string name = group_name("check", 0);
    auto group = (*backend)->create(name);
    Result<void> probe;
    std::string where;
    if (!group) {
        probe = std::move(group).error();
    } else {
        where = (*group)->directories()[0];
        probe = (*group)->set_limits({64u << 20, 16});
        if (probe) {
            auto usage = (*group)->usage();
            if (!usage) probe = std::move(usage).error();
        }
        if (auto removed = (*group)->destroy(); probe && !removed) probe = std::move(removed).error();
    }
    std::string kind = (*backend)->measured_by();
    if (probe) {
        limits.ok = true;
        limits.detail = kind + ": created, limited, read and removed a probe group (" +
                        strip_prefix(where, options.fs_prefix) + ")";
    } else {
        limits.detail = kind + " selected, but the probe group failed: " + probe.error().describe();
        limits.fix = delegate_fix;
    }
    findings.push_back(limits);

    peak.ok = (*backend)->can_reset_peak();
    if (kind == "cgroup-v1")
        peak.detail = "cgroup v1 memory.max_usage_in_bytes can be reset";
    else
        peak.detail = peak.ok ? "memory.peak can be reset through its fd (Linux 6.12+)"
                              : "memory.peak cannot be reset here (needs Linux 6.12): every run "
                                "needs a fresh cgroup";
    if (!peak.ok) peak.fix = "upgrade to Linux 6.12 or later";
    findings.push_back(peak);
    return findings;
}

}  // namespace ringfence::cgroup
