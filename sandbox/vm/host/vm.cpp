#include "vm.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "manifest.hpp"
#include "qemu_args.hpp"

namespace ringfence::vm {
namespace {

std::atomic<std::uint32_t> g_vm_counter{0};

std::uint64_t micros_since(Clock::time_point t) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count());
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by ") + ::strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

}  // namespace

std::uint64_t measure_tsc_khz() {
    const auto t0 = Clock::now();
    const std::uint64_t c0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::uint64_t c1 = __rdtsc();
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
    if (ns <= 0 || c1 <= c0) return 0;
    return static_cast<std::uint64_t>(static_cast<double>(c1 - c0) * 1e6 / static_cast<double>(ns));
}

Result<std::unique_ptr<UidPool>> make_vm_uid_pool(const VmConfig& config) {
    if (auto r = UidPool::validate_range(config.uid_base, config.uid_count); !r) return std::move(r).error();
    const auto dir = config.resolved_runtime_dir() / "uids";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return setup_error("VM: cannot create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
    return std::make_unique<UidPool>(dir.string(), config.uid_base, config.uid_count);
}

Result<std::unique_ptr<Vm>> Vm::boot(const VmEnvironment& env, const VmShape& shape) {
    const auto started = Clock::now();
    const VmConfig& cfg = env.config;
    if (!env.cgroups || !env.uids) return internal_error("VM: no cgroup backend or uid pool");
    auto image = open_verified_image(cfg.resolved_image_dir());
    if (!image) return std::move(image).error();

    std::unique_ptr<Vm> vm(new Vm);
    vm->shape_ = shape;
    vm->accel_ = env.accel;
    const std::uint32_t serial = g_vm_counter.fetch_add(1);
    const auto runtime = cfg.resolved_runtime_dir();
    auto lease = env.uids->lease();
    if (!lease) return std::move(lease).error();
    vm->uid_ = std::move(lease.value());

    auto group = env.cgroups->create(group_name("vm", serial));
    if (!group) return setup_error("VM: cannot create the QEMU cgroup: " + group.error().describe());
    vm->cgroup_ = std::move(group.value());
    const CgroupLimits caps{(shape.memory_mib + cfg.vmm_overhead_mib) << 20, cfg.vmm_pids};
    if (auto set = vm->cgroup_->set_limits(caps); !set)
        return setup_error("VM: cannot limit the QEMU cgroup: " + set.error().describe());

    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return setup_error("VM: socketpair", errno);
    UniqueFd host_end(sv[0]), guest_end(sv[1]);
    int ep[2];
    if (::pipe2(ep, O_CLOEXEC) != 0) return setup_error("VM: pipe", errno);
    vm->qemu_stderr_.reset(ep[0]);
    UniqueFd stderr_write(ep[1]);
    ::fcntl(ep[0], F_SETFL, O_NONBLOCK);
    UniqueFd console;
    if (!cfg.console_log.empty()) {
        console.reset(::open(cfg.console_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!console) return setup_error("VM: cannot open the console log " + cfg.console_log.string(), errno);
    }

    QemuPlan plan;
    plan.accel = env.accel;
    plan.vcpus = shape.vcpus;
    plan.memory_mib = shape.memory_mib;
    plan.tcg_tb_size_mib = cfg.tcg_tb_size_mib;
    plan.channel_fd = 3;
    plan.console_fd = console ? 4 : -1;
    plan.tsc_khz = env.tsc_khz;
    plan.rootfs_type = image->manifest.rootfs_type;
    plan.machine_options = cfg.machine_options;

    JailSpec spec;
    spec.binary = cfg.qemu_binary.string();
    spec.argv = qemu_argv(spec.binary, plan);
    spec.mount_point = runtime / "jail";
    std::error_code ec;
    std::filesystem::create_directories(spec.mount_point, ec);
    if (ec) return setup_error("VM: cannot create " + spec.mount_point.string() + ": " + ec.message());
    spec.files = {{image->kernel.get(), kJailKernel},
                  {image->initramfs.get(), kJailInitramfs},
                  {image->rootfs.get(), kJailRootfs}};
    spec.pass_fds = {guest_end.get()};
    if (console) spec.pass_fds.push_back(console.get());
    spec.stderr_fd = stderr_write.get();
    spec.uid = vm->uid_.uid();
    spec.gid = vm->uid_.uid();
    spec.expose_kvm = env.accel == Accel::kvm;
    if (spec.expose_kvm && env.kvm_group) spec.groups = {*env.kvm_group};
    spec.cgroup = vm->cgroup_.get();
    spec.rlimit_fsize = console ? (64u << 20) : 0;

    auto qemu = spawn_jailed(spec);
    if (!qemu) return std::move(qemu).error();
    vm->qemu_ = std::move(qemu.value());
    guest_end.reset();
    stderr_write.reset();
    console.reset();

    vm->session_.emplace(HostChannel(std::move(host_end), FrameLimits{}));
    auto ready = vm->session_->wait_ready(started + std::chrono::milliseconds(cfg.boot_timeout_ms));
    if (!ready.ok()) {
        const std::string why = ready.error.end == SessionEnd::timeout
                                    ? "the guest agent was not ready within " + std::to_string(cfg.boot_timeout_ms) + " ms"
                                    : std::string(to_string(ready.error.end)) + ": " + ready.error.message;
        const std::string diag = vm->qemu_diagnostics();
        vm->destroy();
        return setup_error("VM boot failed (" + std::string(to_string(env.accel)) + "): " + why + diag);
    }
    vm->ready_ = std::move(*ready.value);
    vm->boot_us_ = micros_since(started);
    return vm;
}

Vm::~Vm() { destroy(); }

void Vm::destroy() {
    qemu_.kill_and_reap();
    if (cgroup_) {
        // QEMU was alone in its PID namespace; anything left would be a bug, but
        // never leave a task behind in a group we are about to remove.
        (void)cgroup_->kill_all();
        cgroup_.reset();
    }
    uid_ = ringfence::UidLease();
    session_.reset();
}

std::string Vm::qemu_diagnostics() {
    std::string text;
    char buf[4096];
    ssize_t n;
    while (text.size() < 8192 && (n = ::read(qemu_stderr_.get(), buf, sizeof buf)) > 0)
        text.append(buf, static_cast<std::size_t>(n));
    std::string out;
    if (qemu_.try_reap()) out += "; QEMU " + describe_status(qemu_.wait_status());
    if (!text.empty()) {
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        out += "; QEMU said: " + text.substr(0, 2000);
    }
    return out;
}

VmFailure Vm::failure_from(const SessionError& e) {
    switch (e.end) {
        case SessionEnd::timeout:
            return {e.end, setup_error("the VM reached its hard wall-time limit and was killed")};
        case SessionEnd::cancelled:
            return {e.end, setup_error("cancelled; the VM was killed")};
        case SessionEnd::violation:
            return {e.end, internal_error("guest protocol violation (" + e.message + "); the VM was killed")};
        case SessionEnd::agent_failed:
            return {e.end, Error{e.agent_kind, "guest agent: " + e.message, 0}};
        case SessionEnd::guest_gone:
            return {e.end, internal_error("the VM stopped during the job (" + e.message + ")" + qemu_diagnostics())};
        case SessionEnd::completed:
        case SessionEnd::io_error:
            break;
    }
    return {e.end, internal_error("VM channel: " + e.message)};
}

VmResult<RunResult> Vm::run(const JobRequest& request, const OutputTarget& out, const OutputTarget& err,
                            std::uint64_t wall_ms, CancelToken* cancel) {
    if (used_ || !session_) return VmFailure{SessionEnd::io_error, internal_error("VM: already used")};
    used_ = true;
    auto r = session_->run(request, out, err, Clock::now() + std::chrono::milliseconds(wall_ms),
                           cancel ? cancel->fd() : -1);
    VmResult<RunResult> outcome = r.ok() ? VmResult<RunResult>(std::move(*r.value)) : failure_from(r.error);
    destroy();
    return outcome;
}

VmResult<JobResult> Vm::judge(const JobRequest& request, std::uint64_t wall_ms, CancelToken* cancel) {
    if (used_ || !session_) return VmFailure{SessionEnd::io_error, internal_error("VM: already used")};
    used_ = true;
    auto r = session_->judge(request, Clock::now() + std::chrono::milliseconds(wall_ms),
                             cancel ? cancel->fd() : -1);
    VmResult<JobResult> outcome = r.ok() ? VmResult<JobResult>(std::move(*r.value)) : failure_from(r.error);
    destroy();
    return outcome;
}

}  // namespace ringfence::vm
