// The uid/gid maps of a sandbox's user namespace. Pure, so the rules are tested:
// the program's uid (kSandboxUid) never maps to host root, and the init is root
// inside only when the launcher can give it a separate unprivileged host id.
#pragma once

#include <sys/types.h>

#include <string>

namespace ringfence {

struct IdMaps {
    std::string uid_map;
    std::string gid_map;
    bool deny_setgroups = false;  // required before an unprivileged gid_map write
};

// Root: init is 0 inside -> `init_host_id`, the program kSandboxUid -> `slot_host_id`
// (the same numbers serve as gids). Rootless: the program's ids map to the caller's
// own, the only ones an unprivileged user may map.
IdMaps plan_id_maps(bool root_mode, uid_t init_host_id, uid_t slot_host_id, uid_t caller_uid,
                    gid_t caller_gid);

}  // namespace ringfence
