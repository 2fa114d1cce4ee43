#include "prepared_sandbox.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "control_protocol.hpp"
#include "init_plan.hpp"
#include "init_server.hpp"
#include "fd_passing.hpp"
#include "id_map.hpp"
#include "syscalls.hpp"

namespace ringfence {
namespace {

constexpr int kPrepareTimeoutMs = 15'000;

std::uint64_t micros_since(std::chrono::steady_clock::time_point start) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
            .count());
}

Result<void> write_proc_file(int proc_dir, const char* name, const std::string& content) {
    UniqueFd fd(openat(proc_dir, name, O_WRONLY | O_CLOEXEC));
    if (!fd) return setup_error(std::string("open /proc/<init>/") + name, errno);
    if (write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
        return setup_error(std::string("write /proc/<init>/") + name + " (" + content + ")", errno);
    return {};
}

std::string sandbox_name() {
    static std::atomic<std::uint64_t> counter{0};
    return group_name("sb", counter.fetch_add(1));
}

}  // namespace

const char* control::describe(Stage stage) noexcept {
    switch (stage) {
        case Stage::set_ids: return "switching to the sandbox ids";
        case Stage::setsid: return "setsid";
        case Stage::make_private: return "making mounts private";
        case Stage::mount_root: return "mounting the root tmpfs";
        case Stage::mount_bind: return "bind-mounting";
        case Stage::mount_attr: return "setting mount attributes";
        case Stage::make_dir: return "creating a directory";
        case Stage::make_file: return "creating a mount point";
        case Stage::make_symlink: return "creating a symlink";
        case Stage::write_file: return "writing a file";
        case Stage::mount_proc: return "mounting /proc";
        case Stage::mount_mask: return "masking /proc entries";
        case Stage::mount_tmpfs: return "mounting a tmpfs";
        case Stage::pivot_root: return "pivot_root";
        case Stage::hostname: return "setting the hostname";
        case Stage::landlock: return "building the Landlock ruleset";
        case Stage::open_box: return "opening /box";
        case Stage::send_ready: return "reporting ready";
        case Stage::receive_run: return "receiving the run request";
        case Stage::claim_bind: return "mounting a bind for this run";
        case Stage::root_readonly: return "making the root read-only";
        case Stage::spawn: return "starting the program";
        case Stage::program_stdio: return "setting up the program's stdio";
        case Stage::program_cwd: return "changing to the working directory";
        case Stage::program_rlimit: return "setting resource limits";
        case Stage::program_caps: return "dropping capabilities";
        case Stage::program_ids: return "switching to the program's uid";
        case Stage::program_no_new_privs: return "setting no_new_privs";
        case Stage::program_landlock: return "enforcing Landlock";
        case Stage::program_seccomp: return "installing the seccomp filter";
        case Stage::program_exec: return "executing the program";
        case Stage::read_plan: return "reading the sandbox plan";
        case Stage::join_cgroup: return "moving the sandbox init into its cgroup";
    }
    return "unknown step";
}

PreparedSandbox::PreparedSandbox(SandboxContext& context, SandboxShape shape)
    : context_(context), shape_(std::move(shape)) {}

PreparedSandbox::~PreparedSandbox() {
    kill_and_reap();
    cgroup_.reset();  // kills stragglers (there are none once init is reaped) and removes it
}

bool PreparedSandbox::alive() const {
    if (reaped_ || !pidfd_) return false;
    // A pidfd becomes readable when the process exits. The init outlives its
    // program process (it stays until killed), so that one is checked too: its
    // socket hangs up when it is gone.
    pollfd p[2] = {{pidfd_.get(), POLLIN, 0}, {program_ctl_.get(), 0, 0}};  // reports hang-ups only
    return poll(p, program_ctl_ ? 2 : 1, 0) == 0;
}

void PreparedSandbox::kill_and_reap() {
    if (reaped_ || !pidfd_) return;
    // Killing PID 1 of the namespace kills every process in it. The init is
    // the init server's child, reaped there; its pidfd turns readable only
    // once the kernel has killed and reaped the rest of its pid namespace.
    sys::pidfd_send_signal(pidfd_.get(), SIGKILL);
    pollfd p{pidfd_.get(), POLLIN, 0};
    while (poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
    reaped_ = true;
}

Result<void> PreparedSandbox::limit_cgroup(const Limits& wanted) {
    if (!cgroup_) return {};
    if (cgroup_limited_ && limited_memory_kib_ == wanted.memory_kib && limited_processes_ == wanted.processes)
        return {};
    cgroup_limited_ = false;
    auto before = cgroup_->usage();
    if (!before) return before.error();
    CgroupLimits limits;
    limits.memory_bytes = wanted.memory_kib * 1024 + before->memory_current_bytes;
    limits.pids = wanted.processes + 1;  // the init
    if (auto r = cgroup_->set_limits(limits); !r) return r;
    if (context_.cgroups->can_reset_peak())
        if (auto r = cgroup_->reset_peak(); !r) return r;
    // Setting limits changes none of these counters: one read serves as the baseline.
    baseline_ = {before->memory_current_bytes, before->cpu_usage_us, before->oom_kills, before->pids_limit_hits};
    cgroup_limited_ = true;
    limited_memory_kib_ = wanted.memory_kib;
    limited_processes_ = wanted.processes;
    return {};
}

Result<std::unique_ptr<PreparedSandbox>> PreparedSandbox::prepare(SandboxContext& ctx, const SandboxShape& shape,
                                                                  const Limits* expected) {
    const auto start = std::chrono::steady_clock::now();
    std::unique_ptr<PreparedSandbox> sb(new PreparedSandbox(ctx, shape));

    auto plan = ctx.init_plan_for(shape);
    if (!plan) return plan.error();
    if (ctx.uids) {
        auto lease = ctx.uids->lease();
        if (!lease) return lease.error();
        sb->uid_ = std::move(*lease);
    }
    if (ctx.cgroups) {
        auto group = ctx.cgroups->create(sandbox_name());
        if (!group) return group.error();
        sb->cgroup_ = std::move(*group);
    }

    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return setup_error("socketpair", errno);
    UniqueFd ctl_parent(sp[0]), ctl_child(sp[1]);
    int pp[2];
    if (pipe2(pp, O_CLOEXEC) < 0) return setup_error("pipe", errno);
    UniqueFd sync_read(pp[0]), sync_write(pp[1]);

    const bool into_cgroup = sb->cgroup_ && sb->cgroup_->clone_into_fd() >= 0;
    InitFlags flags;
    flags.root_mode = ctx.root_mode;
    flags.use_landlock = ctx.landlock;
    flags.allow_network = shape.network;
    flags.unshare_cgroup_ns = !into_cgroup;
    InitServer::Request request;
    request.namespace_flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
    if (!shape.network) {
        request.namespace_flags |= CLONE_NEWNET;
        request.may_reuse_netns = plan->unix_sockets_only;
    }
    if (into_cgroup) {
        // Born inside its cgroup: not a single cycle escapes accounting.
        request.namespace_flags |= CLONE_NEWCGROUP;
        request.cgroup_fd = sb->cgroup_->clone_into_fd();
    }
    request.init_flags = encode_init_flags(flags);
    request.ctl_fd = ctl_child.get();
    request.plan_fd = plan->fd->get();
    request.sync_fd = sync_read.get();
    // v1 has no CLONE_INTO_CGROUP: the init moves itself in (see open_join_files()).
    std::vector<UniqueFd> join_files;
    if (sb->cgroup_ && !into_cgroup) {
        auto files = sb->cgroup_->open_join_files();
        if (!files) return files.error();
        join_files = std::move(*files);
        if (join_files.size() > request.join_fds.size())
            return setup_error("more cgroup hierarchies than an init can join", E2BIG);
        for (std::size_t i = 0; i < join_files.size(); ++i) request.join_fds[i] = join_files[i].get();
    }
    auto init = ctx.init_server->spawn(request);
    if (!init) return init.error();
    const pid_t pid = init->pid;
    sb->pid_ = pid;
    sb->pidfd_ = std::move(init->pidfd);
    sb->ctl_ = std::move(ctl_parent);
    ctl_child.reset();
    sync_read.reset();
    // From here every way out either returns the sandbox or destroys it,
    // killing the init; closing sync_write unasked makes it leave by itself.

    join_files.clear();  // the init has its own copies

    // The init cannot leave before it has its sync byte unless killed. If it
    // is still alive after /proc/<pid> was opened (the pidfd says so), that
    // directory is its own: a pid is recycled only after its process is gone.
    UniqueFd proc_dir(open(("/proc/" + std::to_string(pid)).c_str(), O_DIRECTORY | O_CLOEXEC));
    if (!proc_dir || sys::pidfd_send_signal(sb->pidfd_.get(), 0) < 0)
        return setup_error("the sandbox init vanished before its id maps were written", errno);
    const IdMaps maps = plan_id_maps(ctx.root_mode, ctx.uids ? ctx.uids->init_uid() : 0, sb->uid_.uid(),
                                     ctx.caller_uid, ctx.caller_gid);
    if (maps.deny_setgroups)
        if (auto r = write_proc_file(proc_dir.get(), "setgroups", "deny"); !r) return r.error();
    if (auto r = write_proc_file(proc_dir.get(), "uid_map", maps.uid_map); !r) return r.error();
    if (auto r = write_proc_file(proc_dir.get(), "gid_map", maps.gid_map); !r) return r.error();
    if (write(sync_write.get(), "x", 1) != 1) return setup_error("releasing the sandbox init", errno);
    sync_write.reset();

    // Wait for `ready` from the init (with the /box fd) and `listener` from the
    // program process, in either order, or a precise error from either.
    pollfd fds[2] = {{sb->ctl_.get(), POLLIN, 0}, {sb->pidfd_.get(), POLLIN, 0}};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kPrepareTimeoutMs);
    while (!sb->box_dir_ || !sb->listener_) {
        int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        deadline - std::chrono::steady_clock::now()).count());
        if (left <= 0) return setup_error("the sandbox init did not get ready in time");
        int n = poll(fds, 2, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return setup_error("poll", errno);
        if (n == 0) continue;
        if (!(fds[0].revents & POLLIN)) {
            if (fds[1].revents) return setup_error("the sandbox init died while building the sandbox");
            return setup_error("the sandbox init closed its control socket");
        }
        alignas(control::ErrorMsg) char buf[sizeof(control::ErrorMsg)];
        int received[2] = {-1, -1};
        std::size_t nfds = 0;
        ssize_t got = receive_with_fds(sb->ctl_.get(), buf, sizeof(buf), received, 2, &nfds, MSG_DONTWAIT);
        UniqueFd fd(received[0]), second_fd(received[1]);
        if (got < 0 && errno == EAGAIN) continue;
        if (got < static_cast<ssize_t>(sizeof(control::Header)))
            return setup_error("reading the sandbox init's report", got < 0 ? errno : EPROTO);
        auto* header = reinterpret_cast<const control::Header*>(buf);
        if (header->type == control::Type::error && got == sizeof(control::ErrorMsg)) {
            auto* e = reinterpret_cast<const control::ErrorMsg*>(buf);
            std::string detail(e->detail, strnlen(e->detail, sizeof(e->detail)));
            return setup_error(std::string(control::describe(e->stage)) + " (" + detail + ")", e->sys_errno);
        }
        if (header->type == control::Type::ready && fd && !sb->box_dir_) sb->box_dir_ = std::move(fd);
        else if (header->type == control::Type::listener && fd && second_fd && !sb->listener_) {
            sb->listener_ = std::move(fd);
            sb->program_ctl_ = std::move(second_fd);
        } else {
            return setup_error("unexpected message from the sandbox init", EPROTO);
        }
    }
    // Last, once the init is idle: what it holds now is what the run starts from.
    if (expected && validate(*expected).empty())
        if (auto r = sb->limit_cgroup(*expected); !r) return r.error();
    sb->prepare_us_ = micros_since(start);
    return sb;
}

}  // namespace ringfence
