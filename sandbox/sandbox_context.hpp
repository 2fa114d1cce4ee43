// State shared by every sandbox of one Launcher: fixed after Launcher::create.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "cgroup.hpp"
#include "init_server.hpp"
#include "mount_broker.hpp"
#include "mount_plan.hpp"
#include "ringfence/launcher.hpp"
#include "seccomp_policy.hpp"
#include "uid_pool.hpp"
#include "unique_fd.hpp"

namespace ringfence {

// What a prepared sandbox is built for; runs with the same shape can use it.
struct SandboxShape {
    std::shared_ptr<const SecurityProfile> profile;
    bool network = false;
    std::uint64_t box_size_kib = 0;

    bool operator==(const SandboxShape& o) const {
        return profile == o.profile && network == o.network && box_size_kib == o.box_size_kib;
    }
};

struct SandboxContext {
    LauncherConfig config;
    bool root_mode = false;     // running as host root: two mapped ids per sandbox
    uid_t caller_uid = 0;
    gid_t caller_gid = 0;
    std::string runtime_dir;
    std::string staging_dir;    // mount point for each sandbox's new root (in its own mount ns)
    std::unique_ptr<CgroupBackend> cgroups;  // null in rlimit-only mode
    std::unique_ptr<UidPool> uids;           // null when rootless
    std::unique_ptr<MountBroker> broker;     // detached trees for binds
    bool landlock = false;
    std::unique_ptr<InitServer> init_server;  // forks every sandbox's init

    std::string measured_by() const { return cgroups ? cgroups->measured_by() : "rusage"; }

    // The init's plan for a shape (mounts and seccomp), as a sealed memfd,
    // and what the init server needs to know of that seccomp policy: built
    // once per profile and box size; profiles are immutable once loaded.
    // Entries keep their profile alive, so a cached address is never reused.
    struct InitPlanRef {
        std::shared_ptr<const UniqueFd> fd;
        bool unix_sockets_only = false;  // opens_only_unix_sockets(profile->syscalls)
    };
    Result<InitPlanRef> init_plan_for(const SandboxShape& shape);

private:
    std::mutex cache_mutex_;
    struct PlanEntry {
        std::shared_ptr<const SecurityProfile> profile;
        InitPlanRef plan;
    };
    std::map<std::pair<const SecurityProfile*, std::uint64_t>, PlanEntry> plan_cache_;
};

}  // namespace ringfence
