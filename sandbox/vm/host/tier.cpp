#include "tier.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "manifest.hpp"

namespace ringfence::vm {
namespace {

constexpr std::uint64_t kMaxStdinBytes = 64u << 20;

std::string fresh_entropy() {
    std::string bytes(32, '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + done, bytes.size() - done, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    return bytes;
}

Result<std::string> read_stdin_source(const InputSource& in) {
    std::string data;
    auto read_fd = [&](int fd) -> Result<void> {
        char buf[65536];
        while (true) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return input_error(std::string("stdin: read failed: ") + std::strerror(errno));
            if (n == 0) return {};
            data.append(buf, static_cast<std::size_t>(n));
            if (data.size() > kMaxStdinBytes)
                return input_error("stdin: more than " + std::to_string(kMaxStdinBytes) + " bytes (the VM tier's limit)");
        }
    };
    switch (in.kind) {
        case InputSource::Kind::empty: return data;
        case InputSource::Kind::bytes: return in.path_or_bytes;
        case InputSource::Kind::fd:
            if (auto r = read_fd(in.fd); !r) return std::move(r).error();
            return data;
        case InputSource::Kind::file: {
            const int fd = ::open(in.path_or_bytes.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) return input_error("stdin: cannot open " + in.path_or_bytes + ": " + std::strerror(errno));
            auto r = read_fd(fd);
            ::close(fd);
            if (!r) return std::move(r).error();
            return data;
        }
    }
    return data;
}

std::uint64_t micros_since(Clock::time_point t) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count());
}

// A language profile's default limit (profiles/README.md: limits.STEP.default.KEY), or `fallback`.
std::uint64_t profile_default(const ProfileStore& profiles, const std::string& language, const char* step,
                              const char* key, std::uint64_t fallback) {
    auto text = profiles.read_text("languages/" + language + ".json");
    if (!text) return fallback;
    const auto j = nlohmann::json::parse(text.value(), nullptr, false);
    const nlohmann::json::json_pointer ptr(std::string("/limits/") + step + "/default/" + key);
    if (j.is_discarded() || !j.contains(ptr) || !j[ptr].is_number_unsigned()) return fallback;
    return j[ptr].get<std::uint64_t>();
}

nlohmann::json vm_json(const VmJobInfo& vm) {
    return {{"isolated", vm.isolated},
            {"from_pool", vm.from_pool},
            {"boot_ms", vm.boot_us / 1000},
            {"total_ms", vm.total_us / 1000},
            {"memory_mib", vm.memory_mib},
            {"guest_kernel", vm.guest.kernel_release},
            {"guest_boot_id", vm.guest.boot_id}};
}

}  // namespace

std::string to_json(const VmRunResult& r, bool include_data) {
    auto j = nlohmann::json::parse(to_json(r.result, include_data));
    j["tier"] = "vm";
    j["vm_accel"] = to_string(r.vm.accel);
    j["vm"] = vm_json(r.vm);
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string to_json(const VmJudgeResult& r) {
    auto j = nlohmann::json::parse(to_json(r.result));
    j["tier"] = "vm";
    j["vm_accel"] = to_string(r.vm.accel);
    j["vm"] = vm_json(r.vm);
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string vm_unsupported(const RunSpec& spec) {
    if (!spec.binds.empty())
        return "--bind-ro is not available in the VM tier: the guest sees only its image (send files with the job)";
    if (spec.workdir) return "--workdir is not available in the VM tier: the guest has its own /box";
    if (spec.network) return "--network is not available in the VM tier: the VM has no network device";
    if (!spec.profile) return "no security profile given";
    return {};
}

Result<std::unique_ptr<VmTier>> VmTier::create(VmConfig config, Log log) {
    if (auto problem = validate(config); !problem.empty()) return input_error(problem);
    const KvmStatus kvm = detect_kvm();
    auto accel = choose_accel(kvm, config.allow_tcg);
    if (!accel) return std::move(accel).error();
    auto cgroups = detect_cgroups(CgroupOptions{config.cgroup_root, {}});
    if (!cgroups) return setup_error("VM tier: QEMU processes need cgroups: " + cgroups.error().describe());
    // Fail now, not at the first job, when the image is missing or altered.
    if (auto image = open_verified_image(config.resolved_image_dir()); !image) return std::move(image).error();

    std::unique_ptr<VmTier> tier(new VmTier);
    tier->log_ = std::move(log);
    tier->cgroups_ = std::move(cgroups.value());
    tier->env_.config = std::move(config);
    tier->env_.accel = accel.value();
    tier->env_.tsc_khz = measure_tsc_khz();
    tier->env_.cgroups = tier->cgroups_.get();
    auto uids = make_vm_uid_pool(tier->env_.config);
    if (!uids) return std::move(uids).error();
    tier->uids_ = std::move(uids.value());
    tier->env_.uids = tier->uids_.get();
    tier->env_.kvm_group = kvm_device_group();
    if (tier->env_.accel == Accel::tcg)
        tier->log("WARNING: the VM tier runs under software emulation (TCG) because KVM is not usable (" + kvm.detail +
                  "): jobs get NO hypervisor isolation. Allowed by vm.allow_tcg for development and tests only.");
    const auto& c = tier->env_.config;
    if (c.pool_size > 0)
        tier->pool_ = std::make_unique<VmPool>(tier->env_, VmShape{c.guest_memory_mib, c.vcpus}, c.pool_size,
                                               [t = tier.get()](const std::string& line) { t->log(line); });
    return tier;
}

VmTier::~VmTier() { pool_.reset(); }

void VmTier::log(const std::string& line) const {
    if (log_) log_(line);
    else std::fprintf(stderr, "ringfence vm: %s\n", line.c_str());
}

std::optional<PoolStats> VmTier::pool_stats() const {
    if (!pool_) return std::nullopt;
    return pool_->stats();
}

VmShape VmTier::shape_for_memory(std::uint64_t job_memory_kib) const {
    const auto& c = env_.config;
    std::uint64_t mib = (job_memory_kib + 1023) / 1024 + c.guest_overhead_mib;
    mib = std::max(mib, c.guest_memory_mib);
    mib = (mib + 63) / 64 * 64;
    return VmShape{mib, c.vcpus};
}

Result<std::unique_ptr<Vm>> VmTier::acquire(const VmShape& shape, VmJobInfo& info) {
    info.accel = env_.accel;
    info.isolated = isolated();
    if (pool_ && shape.vcpus == pool_->shape().vcpus && shape.memory_mib <= pool_->shape().memory_mib) {
        if (auto vm = pool_->take()) {
            info.from_pool = true;
            info.memory_mib = vm->shape().memory_mib;
            info.guest = vm->ready();
            return vm;
        }
    }
    auto vm = Vm::boot(env_, shape);
    if (!vm) return std::move(vm).error();
    info.boot_us = (*vm)->boot_us();
    info.memory_mib = shape.memory_mib;
    info.guest = (*vm)->ready();
    return vm;
}

VmRunResult VmTier::run(const RunSpec& spec, CancelToken* cancel) {
    const auto started = Clock::now();
    VmRunResult out;
    out.result.tier = "vm";
    out.vm.accel = env_.accel;
    out.vm.isolated = isolated();
    auto fail = [&](RunStatus status, const std::string& message) {
        out.result.status = status;
        out.result.error = message;
        out.vm.total_us = micros_since(started);
        return out;
    };
    if (auto why = vm_unsupported(spec); !why.empty()) return fail(RunStatus::setup_error, why);
    auto stdin_data = read_stdin_source(spec.stdin_source);
    if (!stdin_data) return fail(RunStatus::setup_error, stdin_data.error().message);

    JobRequest q;
    q.kind = JobKind::run;
    q.entropy = fresh_entropy();
    q.run.argv = spec.argv;
    q.run.env = spec.env;
    q.run.cwd = spec.cwd;
    q.run.limits = spec.limits;
    q.run.profile = spec.profile->name;
    q.run.stdin_data = std::move(stdin_data.value());
    q.run.box_files = spec.box_files;
    q.run.stream_output = true;

    auto vm = acquire(shape_for_memory(spec.limits.memory_kib), out.vm);
    if (!vm) return fail(RunStatus::setup_error, vm.error().describe());
    const std::uint64_t wall = std::min(spec.limits.wall_time_ms + env_.config.wall_margin_ms, env_.config.max_wall_ms);
    auto outcome = (*vm)->run(q, spec.stdout_target, spec.stderr_target, wall, cancel);
    vm->reset();
    if (!isolated()) log("job ran under TCG (vm_accel=tcg): not isolated by a hypervisor");
    if (auto* failure = std::get_if<VmFailure>(&outcome)) {
        if (failure->error.kind == ErrorKind::input) return fail(RunStatus::setup_error, failure->error.message);
        log("VM job failed: " + failure->error.describe());
        return fail(failure->end == SessionEnd::timeout ? RunStatus::wall_time_limit : RunStatus::setup_error,
                    failure->error.describe());
    }
    out.result = std::move(std::get<RunResult>(outcome));
    out.result.tier = "vm";
    out.vm.total_us = micros_since(started);
    return out;
}

Result<VmJudgeResult> VmTier::judge(const Job& job, CancelToken* cancel) {
    const auto started = Clock::now();
    VmJudgeResult out;
    out.result.tier = "vm";
    out.vm.accel = env_.accel;
    out.vm.isolated = isolated();
    auto internal = [&](const std::string& message) {
        out.result.verdict = Verdict::internal_error;
        out.result.internal_error = message;
        out.result.message = "Internal error";
        out.vm.total_us = micros_since(started);
        return out;
    };
    // Size the VM from the job's limits, or the language's defaults.
    const auto compile_mem = job.compile_limits.memory_kib.value_or(
        profile_default(profiles_, job.language, "compile", "memory_kib", 1u << 20));
    const auto run_mem =
        job.run_limits.memory_kib.value_or(profile_default(profiles_, job.language, "run", "memory_kib", 256u << 10));
    const auto compile_wall = job.compile_limits.wall_time_ms.value_or(
        profile_default(profiles_, job.language, "compile", "wall_time_ms", 60'000));
    const auto run_wall =
        job.run_limits.wall_time_ms.value_or(profile_default(profiles_, job.language, "run", "wall_time_ms", 20'000));
    const std::uint64_t helpers = (job.checker ? 1 : 0) + (job.interactor ? 1 : 0);
    // Tests run two at a time in the guest; the sum is a worst case, capped.
    const std::uint64_t wall = std::min<std::uint64_t>(
        compile_wall * (1 + helpers) + run_wall * (1 + helpers) * job.tests.size() + env_.config.wall_margin_ms,
        env_.config.max_wall_ms);

    JobRequest q;
    q.kind = JobKind::judge;
    q.entropy = fresh_entropy();
    q.judge = job;
    auto vm = acquire(shape_for_memory(std::max(compile_mem, 2 * run_mem)), out.vm);
    if (!vm) return internal(vm.error().describe());
    auto outcome = (*vm)->judge(q, wall, cancel);
    vm->reset();
    if (!isolated()) log("job ran under TCG (vm_accel=tcg): not isolated by a hypervisor");
    if (auto* failure = std::get_if<VmFailure>(&outcome)) {
        if (failure->error.kind == ErrorKind::input) return failure->error;
        log("VM job failed: " + failure->error.describe());
        return internal(failure->error.describe());
    }
    out.result = std::move(std::get<JobResult>(outcome));
    out.result.tier = "vm";
    out.vm.total_us = micros_since(started);
    return out;
}

}  // namespace ringfence::vm
