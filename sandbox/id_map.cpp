#include "id_map.hpp"

#include "mount_plan.hpp"

namespace ringfence {

IdMaps plan_id_maps(bool root_mode, uid_t init_host_id, uid_t slot_host_id, uid_t caller_uid,
                    gid_t caller_gid) {
    IdMaps maps;
    if (root_mode) {
        // setgroups stays allowed: the init drops the caller's supplementary groups with it.
        const std::string init = std::to_string(init_host_id), slot = std::to_string(slot_host_id);
        maps.uid_map = "0 " + init + " 1\n" + std::to_string(kSandboxUid) + " " + slot + " 1\n";
        maps.gid_map = "0 " + init + " 1\n" + std::to_string(kSandboxGid) + " " + slot + " 1\n";
    } else {
        maps.deny_setgroups = true;
        maps.uid_map = std::to_string(kSandboxUid) + " " + std::to_string(caller_uid) + " 1\n";
        maps.gid_map = std::to_string(kSandboxGid) + " " + std::to_string(caller_gid) + " 1\n";
    }
    return maps;
}

}  // namespace ringfence
