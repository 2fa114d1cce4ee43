#include "config.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "protocol/strict_json.hpp"

namespace ringfence::vm {

std::filesystem::path VmConfig::resolved_image_dir() const {
    if (!image_dir.empty()) return image_dir;
    if (const char* env = std::getenv("RINGFENCE_VM_DIR"); env && *env) return env;
    return "/var/lib/ringfence/vm";
}

std::filesystem::path VmConfig::resolved_runtime_dir() const {
    return runtime_dir.empty() ? std::filesystem::path("/run/ringfence/vm") : runtime_dir;
}

Result<VmConfig> parse_vm_config(const nlohmann::json& section, VmConfig c) {
    ErrorSink sink;
    FieldReader r(section, "vm", sink);
    auto path = [&](const char* key, std::filesystem::path& out) {
        if (!r.is_null(key)) out = r.str(key, 4096);
    };
    auto u64 = [&](const char* key, std::uint64_t& out, std::uint64_t max) {
        if (!r.is_null(key)) out = r.u64(key, max);
    };
    auto u32 = [&](const char* key, std::uint32_t& out, std::uint32_t max) {
        if (!r.is_null(key)) out = r.u32(key, max);
    };
    path("image_dir", c.image_dir);
    path("qemu_binary", c.qemu_binary);
    path("runtime_dir", c.runtime_dir);
    path("console_log", c.console_log);
    if (!r.is_null("allow_tcg")) c.allow_tcg = r.boolean("allow_tcg");
    if (!r.is_null("vcpus")) c.vcpus = r.u32("vcpus", 64);
    u64("guest_memory_mib", c.guest_memory_mib, 1u << 20);
    u64("guest_overhead_mib", c.guest_overhead_mib, 1u << 16);
    u64("vmm_overhead_mib", c.vmm_overhead_mib, 1u << 16);
    u32("vmm_pids", c.vmm_pids, 1u << 16);
    u64("tcg_tb_size_mib", c.tcg_tb_size_mib, 4096);
    u64("boot_timeout_ms", c.boot_timeout_ms, 3'600'000);
    u64("wall_margin_ms", c.wall_margin_ms, 3'600'000);
    u64("max_wall_ms", c.max_wall_ms, 24 * 3'600'000ull);
    if (!r.is_null("pool_size")) c.pool_size = r.u32("pool_size", 256);
    u32("uid_base", c.uid_base, UINT32_MAX);
    u32("uid_count", c.uid_count, 1u << 20);
    if (!r.is_null("cgroup_root")) c.cgroup_root = r.str("cgroup_root", 4096);
    if (!r.is_null("machine_options")) c.machine_options = r.str("machine_options", 1024);
    r.reject_unknown_keys();
    if (sink.error) return *sink.error;
    if (auto problem = validate(c); !problem.empty()) return input_error(problem);
    return c;
}

std::string validate(const VmConfig& c) {
    if (c.uid_base == 0) return "vm.uid_base: must not be 0 (root)";
    if (c.uid_count == 0) return "vm.uid_count: must be at least 1";
    if (static_cast<std::uint64_t>(c.uid_base) + c.uid_count > UINT32_MAX)
        return "vm.uid_count: the uid range overflows";
    if (c.vcpus == 0) return "vm.vcpus: must be at least 1";
    if (c.guest_memory_mib < 128) return "vm.guest_memory_mib: at least 128 MiB";
    if (c.boot_timeout_ms < 100) return "vm.boot_timeout_ms: at least 100";
    if (c.max_wall_ms < 1000) return "vm.max_wall_ms: at least 1000";
    return {};
}

}  // namespace ringfence::vm
