// Serves the one run of a prepared sandbox: hands the program its stdio and
// mounts, then watches it with poll() until every process is gone, enforcing
// wall time, CPU time and output size, naming blocked system calls, and
// finally reading the cgroup's figures.
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "control_protocol.hpp"
#include "fd_passing.hpp"
#include "prepared_sandbox.hpp"
#include "run_classification.hpp"
#include "syscalls.hpp"
#include "tree_owner.hpp"

namespace ringfence {

using Clock = std::chrono::steady_clock;

namespace {

std::uint64_t micros(Clock::duration d) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

bool contains_nul(const std::string& s) { return s.find('\0') != std::string::npos; }

bool safe_inside_path(const std::string& p) {
    if (p.empty() || p[0] != '/' || p == "/" || contains_nul(p)) return false;
    for (std::size_t i = 0; i < p.size();) {
        std::size_t j = p.find('/', i + 1);
        std::string part = p.substr(i + 1, j == std::string::npos ? std::string::npos : j - i - 1);
        if (part == ".." || part == ".") return false;
        if (j == std::string::npos) break;
        i = j;
    }
    for (const char* reserved : {"/proc", "/dev"})
        if (p == reserved || p.rfind(std::string(reserved) + "/", 0) == 0) return false;
    return true;
}

unsigned usable_cpus() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

// Files the supervisor creates inside a sandbox's /box must be owned by an id
// that sandbox's user namespace maps (the kernel refuses others with
// EOVERFLOW), so as root the calling thread borrows the sandbox's fs ids.
// setfsuid/setfsgid are per-thread system calls: other threads are unaffected.
class BorrowedFsIds {
public:
    explicit BorrowedFsIds(const UidLease& lease) : active_(lease.held()) {
        if (!active_) return;
        syscall(SYS_setfsgid, lease.uid());
        syscall(SYS_setfsuid, lease.uid());
    }
    ~BorrowedFsIds() {
        if (!active_) return;
        syscall(SYS_setfsuid, 0);
        syscall(SYS_setfsgid, 0);
    }
    BorrowedFsIds(const BorrowedFsIds&) = delete;
    BorrowedFsIds& operator=(const BorrowedFsIds&) = delete;

private:
    bool active_;
};

struct Stream {
    OutputTarget target;
    UniqueFd read_end;
    // Our copy of the write end: the pipe never reports a hang-up, so the
    // program's exit does not wake the supervisor through its pipes.
    UniqueFd write_end;
    std::string* data = nullptr;
    std::uint64_t produced = 0;
    std::uint64_t kept = 0;
    bool truncated = false;
    bool open = false;
};

}  // namespace

class Supervisor {
public:
    Supervisor(PreparedSandbox& sb, const RunSpec& spec, CancelToken* cancel)
        : sb_(sb), spec_(spec), cancel_(cancel) {}

    RunResult run() {
        result_.tier = "process";
        result_.measured_by = sb_.context_.measured_by();
        result_.host_uid = sb_.uid_.held() ? sb_.uid_.uid() : sb_.context_.caller_uid;
        result_.phases.prepare_us = sb_.prepare_us_;
        if (auto r = start(); !r) {
            sb_.kill_and_reap();
            restore_workdir();
            result_.status = RunStatus::setup_error;
            result_.error = r.error().describe();
            return std::move(result_);
        }
        watch();
        finish();
        return std::move(result_);
    }

private:
    Result<void> validate() {
        if (!(sb_.shape_.profile == spec_.profile)) return input_error("run spec does not match the sandbox");
        if (spec_.argv.empty() || spec_.argv[0].empty()) return input_error("no program to run");
        if (spec_.network && !spec_.profile->network_allowed)
            return input_error("profile '" + spec_.profile->name + "' does not allow network access");
        if (auto why = validate(spec_.limits); !why.empty()) return input_error(why);
        if (spec_.cwd.empty() || spec_.cwd[0] != '/' || contains_nul(spec_.cwd))
            return input_error("the working directory must be an absolute path");
        for (const auto& a : spec_.argv)
            if (contains_nul(a)) return input_error("an argument contains a NUL byte");
        for (const auto& e : spec_.env)
            if (contains_nul(e) || e.find('=') == std::string::npos || e[0] == '=')
                return input_error("environment entries must be NAME=VALUE without NUL bytes");
        if (spec_.binds.size() + (spec_.workdir ? 1 : 0) > control::kMaxBinds)
            return input_error("too many bind mounts");
        for (const auto& b : spec_.binds)
            if (!safe_inside_path(b.inside_path))
                return input_error("bind target '" + b.inside_path + "' is not a usable absolute path");
        return {};
    }
    static std::string validate(const Limits& l) { return ringfence::validate(l); }

    Result<UniqueFd> open_stdin() {
        const auto& in = spec_.stdin_source;
        switch (in.kind) {
            case InputSource::Kind::empty: {
                UniqueFd fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
                if (!fd) return setup_error("open /dev/null", errno);
                return fd;
            }
            case InputSource::Kind::file: {
                UniqueFd fd(open(in.path_or_bytes.c_str(), O_RDONLY | O_CLOEXEC));
                if (!fd) return input_error("cannot open stdin file " + in.path_or_bytes + ": " + std::strerror(errno));
                return fd;
            }
            case InputSource::Kind::bytes: {
                // A sealed memfd: the program reads a regular file, nobody needs to pump a pipe.
                UniqueFd fd(memfd_create("ringfence-stdin", MFD_CLOEXEC | MFD_ALLOW_SEALING));
                if (!fd) return setup_error("memfd_create", errno);
                const std::string& bytes = in.path_or_bytes;
                for (std::size_t off = 0; off < bytes.size();) {
                    ssize_t n = write(fd.get(), bytes.data() + off, bytes.size() - off);
                    if (n < 0) return setup_error("writing stdin", errno);
                    off += static_cast<std::size_t>(n);
                }
                fcntl(fd.get(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
                lseek(fd.get(), 0, SEEK_SET);
                return fd;
            }
            case InputSource::Kind::fd: {
                UniqueFd fd(fcntl(in.fd, F_DUPFD_CLOEXEC, 3));
                if (!fd) return input_error("stdin fd is not usable");
                return fd;
            }
        }
        return internal_error("unknown stdin kind");
    }

    Result<UniqueFd> open_output(Stream& s, const OutputTarget& target, std::string* data) {
        s.target = target;
        s.data = data;
        if (target.kind == OutputTarget::Kind::raw_fd) {
            UniqueFd fd(fcntl(target.fd, F_DUPFD_CLOEXEC, 3));
            if (!fd) return input_error("output fd is not usable");
            return fd;
        }
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) return setup_error("pipe", errno);
        s.read_end.reset(p[0]);
        s.open = true;
        fcntl(p[0], F_SETFL, O_NONBLOCK);
        s.write_end.reset(fcntl(p[1], F_DUPFD_CLOEXEC, 3));
        if (!s.write_end) return setup_error("dup pipe", errno);
        return UniqueFd(p[1]);
    }

    // Opens (creating as needed) the directory that will hold `name`, one level at
    // a time and never through a symlink: the program owns /box and what is in it.
    // Called with the sandbox's fs ids borrowed.
    static Result<UniqueFd> open_box_parent(int box_fd, const std::string& name, std::string* base) {
        UniqueFd parent(fcntl(box_fd, F_DUPFD_CLOEXEC, 3));
        if (!parent) return setup_error("dup /box", errno);
        std::size_t pos = 0;
        for (std::size_t slash; (slash = name.find('/', pos)) != std::string::npos; pos = slash + 1) {
            std::string part = name.substr(pos, slash - pos);
            if (part.empty()) continue;
            if (mkdirat(parent.get(), part.c_str(), 0755) < 0 && errno != EEXIST)
                return setup_error("mkdir " + part, errno);
            UniqueFd next(openat(parent.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!next) return setup_error("open " + part, errno);
            parent = std::move(next);
        }
        *base = name.substr(pos);
        return parent;
    }

    Result<void> place_box_files(int box_fd) {
        const UidPool* uids = sb_.context_.uids.get();
        for (const BoxFile& file : spec_.box_files) {
            const std::string& name = file.name;
            if (name.empty() || name[0] == '/' || !safe_inside_path("/box/" + name))
                return input_error("box file name '" + name + "' must be relative without '..'");
            // Read-only means owned by the sandbox's root: rootless, every id maps to the caller.
            if (file.read_only && !uids)
                return input_error("box file '" + name + "': read-only box files need a launcher running as root");
            UniqueFd f;
            {
                BorrowedFsIds ids(sb_.uid_);
                std::string base;
                auto parent = open_box_parent(box_fd, name, &base);
                if (!parent) return parent.error();
                f.reset(openat(parent->get(), base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (!f) return setup_error("create /box/" + name, errno);
            }
            for (std::size_t off = 0; off < file.content.size();) {
                ssize_t n = write(f.get(), file.content.data() + off, file.content.size() - off);
                if (n < 0) return setup_error("write /box/" + name, errno);
                off += static_cast<std::size_t>(n);
            }
            // Given away only now, with our own fs ids back: nothing of the sandbox runs yet.
            if (file.read_only && fchown(f.get(), uids->init_uid(), uids->init_uid()) != 0)
                return setup_error("chown /box/" + name, errno);
            const mode_t mode = (file.read_only ? 0444 : 0644) | (file.executable ? 0111 : 0);
            if (fchmod(f.get(), mode) != 0) return setup_error("chmod /box/" + name, errno);
        }
        return {};
    }

    Result<void> prepare_workdir() {
        if (!spec_.workdir) return {};
        UniqueFd dir(open(spec_.workdir->c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!dir) return input_error("cannot open workdir " + *spec_.workdir + ": " + std::strerror(errno));
        struct stat st {};
        fstat(dir.get(), &st);
        workdir_owner_ = {st.st_uid, st.st_gid};
        if (sb_.uid_.held()) {
            // The program runs as an unprivileged host uid: it owns the workdir while it runs.
            if (auto r = chown_tree(dir.get(), sb_.uid_.uid(), sb_.uid_.uid()); !r) return r;
            workdir_handed_over_ = true;
        }
        workdir_fd_ = std::move(dir);
        return {};
    }

    void restore_workdir() {
        if (!workdir_handed_over_ || !workdir_fd_) return;
        (void)chown_tree(workdir_fd_.get(), workdir_owner_.first, workdir_owner_.second);
        workdir_handed_over_ = false;
    }

    Result<void> start() {
        if (auto r = validate(); !r) return r;
        if (auto r = prepare_workdir(); !r) return r;

        auto in = open_stdin();
        if (!in) return in.error();
        auto out = open_output(out_, spec_.stdout_target, &result_.stdout_data);
        if (!out) return out.error();
        auto err = open_output(err_, spec_.stderr_target, &result_.stderr_data);
        if (!err) return err.error();
        std::vector<UniqueFd> fds;
        fds.push_back(std::move(*in));
        fds.push_back(std::move(*out));
        fds.push_back(std::move(*err));

        // Every bind is resolved here, with the caller's identity, into a detached
        // mount; the init only attaches what it is handed.
        std::vector<std::string> targets;
        std::uint64_t writable_mask = 0;
        auto add_bind = [&](const std::string& host, const std::string& inside, bool writable) -> Result<void> {
            auto tree = sb_.context_.broker->clone_tree(host);
            if (!tree) return tree.error();
            if (writable) writable_mask |= std::uint64_t{1} << targets.size();
            targets.push_back(inside);
            fds.push_back(std::move(*tree));
            return {};
        };
        if (spec_.workdir)
            if (auto r = add_bind(*spec_.workdir, "/box", true); !r) return r;
        for (const auto& b : spec_.binds)
            if (auto r = add_bind(b.host_path, b.inside_path, b.writable); !r) return r;
        if (auto r = place_box_files(workdir_fd_ ? workdir_fd_.get() : sb_.box_dir_.get()); !r) return r;

        // The message: fixed part, then NUL-separated strings.
        std::string payload;
        for (const auto& a : spec_.argv) payload.append(a).push_back('\0');
        for (const auto& e : spec_.env) payload.append(e).push_back('\0');
        payload.append(spec_.cwd).push_back('\0');
        for (const auto& t : targets) payload.append(t).push_back('\0');
        control::RunMsg msg{};
        if (sizeof(msg) + payload.size() > control::kMaxRunMessage)
            return input_error("arguments and environment are too large");
        if (spec_.argv.size() > control::kMaxArgs || spec_.env.size() > control::kMaxArgs)
            return input_error("too many arguments or environment entries");
        msg.header = {control::Type::run, static_cast<std::uint32_t>(sizeof(msg) + payload.size())};
        msg.argc = static_cast<std::uint32_t>(spec_.argv.size());
        msg.envc = static_cast<std::uint32_t>(spec_.env.size());
        msg.nbinds = static_cast<std::uint32_t>(targets.size());
        msg.bind_writable_mask_lo = static_cast<std::uint32_t>(writable_mask);
        msg.bind_writable_mask_hi = static_cast<std::uint32_t>(writable_mask >> 32);
        fill_rlimits(msg);

        if (auto r = sb_.limit_cgroup(spec_.limits); !r) return r;

        std::string wire(reinterpret_cast<const char*>(&msg), sizeof(msg));
        wire += payload;
        iovec iov{wire.data(), wire.size()};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        std::vector<char> cbuf(CMSG_SPACE(sizeof(int) * fds.size()));
        mh.msg_control = cbuf.data();
        mh.msg_controllen = cbuf.size();
        cmsghdr* c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        for (std::size_t i = 0; i < fds.size(); ++i) {
            int fd = fds[i].get();
            std::memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof(int));
        }
        // Binds need the init to mount them; anything else goes straight to the program's process.
        const int to = targets.empty() ? sb_.program_ctl_.get() : sb_.ctl_.get();
        started_at_ = Clock::now();
        if (sendmsg(to, &mh, MSG_NOSIGNAL) < 0) return setup_error("sending the run request", errno);
        return {};  // the fds sent close here; the pipes' write ends stay held in out_ and err_
    }

    void fill_rlimits(control::RunMsg& msg) {
        const Limits& l = spec_.limits;
        auto add = [&](int resource, std::uint64_t soft, std::uint64_t hard) {
            msg.rlimits[msg.nrlimits++] = {resource, soft, hard};
        };
        // Backstops only: the cgroup is the real limit for CPU, memory and processes.
        const std::uint64_t cpu_s = (l.cpu_time_ms + 999) / 1000 + 1;
        add(RLIMIT_CPU, cpu_s, cpu_s + 1);
        add(RLIMIT_FSIZE, l.file_size_bytes, l.file_size_bytes);
        add(RLIMIT_NOFILE, l.open_files, l.open_files);
        const std::uint64_t stack = (l.stack_kib ? l.stack_kib : l.memory_kib) * 1024;
        add(RLIMIT_STACK, stack, stack);
        add(RLIMIT_CORE, 0, 0);
        add(RLIMIT_MEMLOCK, 64 * 1024, 64 * 1024);
        // Counted per uid: when rootless the init shares the program's uid, hence
        // one extra. With a cgroup, pids.max must be the limit that bites (it is
        // the one we can see being hit), so the rlimit stays one above it.
        const std::uint64_t nproc = l.processes + (sb_.cgroup_ ? 2 : 1);
        add(RLIMIT_NPROC, nproc, nproc);
        add(RLIMIT_RTPRIO, 0, 0);
    }

    void kill(bool& reason) {
        if (killed_) return;
        reason = true;
        killed_ = true;
        sys::pidfd_send_signal(sb_.pidfd_.get(), SIGKILL);
    }

    void read_stream(Stream& s) {
        char buf[65536];
        for (;;) {
            ssize_t n = read(s.read_end.get(), buf, sizeof(buf));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (n == 0 || errno != EAGAIN) s.open = false;
                return;
            }
            s.produced += static_cast<std::uint64_t>(n);
            const std::uint64_t limit = spec_.limits.output_bytes;
            std::uint64_t room = s.kept < limit ? limit - s.kept : 0;
            std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(room, static_cast<std::uint64_t>(n)));
            if (take > 0) {
                if (s.target.kind == OutputTarget::Kind::capture) s.data->append(buf, take);
                else if (s.target.kind == OutputTarget::Kind::forward) write_fully(s.target.fd, buf, take);
                s.kept += take;
            }
            if (s.produced > limit) {
                s.truncated = true;
                kill(obs_.killed_for_output);
            }
        }
    }

    static void write_fully(int fd, const char* data, std::size_t size) {
        while (size > 0) {
            ssize_t n = write(fd, data, size);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;  // the reader went away; keep draining the sandbox
            data += n;
            size -= static_cast<std::size_t>(n);
        }
    }

    // Returns whether a message was consumed.
    bool handle_control() {
        alignas(control::ExitedMsg) char buf[sizeof(control::ErrorMsg) + sizeof(control::ExitedMsg)];
        int received = -1;
        ssize_t n = receive_with_fd(sb_.ctl_.get(), buf, sizeof(buf), &received, MSG_DONTWAIT);
        UniqueFd fd(received);
        if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EINTR)) ctl_open_ = false;
            return false;
        }
        if (n < static_cast<ssize_t>(sizeof(control::Header))) return true;
        auto* header = reinterpret_cast<const control::Header*>(buf);
        switch (header->type) {
            case control::Type::exited:
                if (n == sizeof(control::ExitedMsg)) {
                    auto* e = reinterpret_cast<const control::ExitedMsg*>(buf);
                    obs_.program_exited = true;
                    obs_.wait_status = e->wait_status;
                    rusage_cpu_us_ = e->user_us + e->system_us;
                    rusage_max_rss_kib_ = e->max_rss_kib;
                    only_init_left_ = only_init_left();
                }
                break;
            case control::Type::error:
                if (n == sizeof(control::ErrorMsg)) {
                    auto* e = reinterpret_cast<const control::ErrorMsg*>(buf);
                    std::string detail(e->detail, strnlen(e->detail, sizeof(e->detail)));
                    Error err = setup_error(std::string(control::describe(e->stage)) + " (" + detail + ")",
                                            e->sys_errno);
                    obs_.setup_failed = true;
                    result_.error = err.describe();
                }
                break;
            default:
                break;
        }
        return true;
    }

    void handle_notification() {
        seccomp_notif req{};
        if (ioctl(sb_.listener_.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
            if (errno != EINTR && errno != ENOENT) sb_.listener_.reset();  // every filter user is gone
            return;
        }
        if (!obs_.violation) {
            obs_.violation = true;
            result_.violation = syscall_name(req.data.arch, req.data.nr);
        }
        bool ignored = false;
        kill(ignored);
    }

    // The program's process sent its timings just before execve, on the socket
    // the run request came by (not watched during the run). Missing when it
    // failed before that: then the phases stay unknown (0).
    void read_start_phases(Clock::time_point ended) {
        control::StartedMsg m{};
        if (recv(sb_.program_ctl_.get(), &m, sizeof(m), MSG_DONTWAIT) != static_cast<ssize_t>(sizeof(m)) ||
            m.header.type != control::Type::started)
            return;
        const std::int64_t sent =
            std::chrono::duration_cast<std::chrono::nanoseconds>(started_at_.time_since_epoch()).count();
        auto us = [](std::int64_t from, std::int64_t to) {
            return to > from && from > 0 ? static_cast<std::uint64_t>((to - from) / 1000) : 0;
        };
        result_.phases.handover_us = us(sent, m.received_ns);
        result_.phases.spawn_us = us(m.received_ns, m.entered_ns);
        result_.phases.confine_us = us(m.entered_ns, m.confined_ns);
        const Clock::time_point exec_at{std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(m.confined_ns))};
        if (exec_at > started_at_ && exec_at <= ended) {
            result_.phases.start_us = micros(exec_at - started_at_);
            result_.phases.run_us = micros(ended - exec_at);
        }
    }

    // Polls until init is gone. CPU is sampled no sooner than it could possibly
    // reach the limit with every usable CPU busy, so checks are rare but exact.
    void watch() {
        const auto wall_deadline = started_at_ + std::chrono::milliseconds(spec_.limits.wall_time_ms);
        const std::uint64_t cpu_limit_us = spec_.limits.cpu_time_ms * 1000;
        obs_.cpu_limit_us = cpu_limit_us;
        const unsigned cpus = usable_cpus();
        auto next_cpu_check = started_at_;
        for (bool init_alive = true; init_alive;) {
            auto now = Clock::now();
            if (!killed_ && now >= wall_deadline) kill(obs_.killed_for_wall);
            if (!killed_ && sb_.cgroup_ && now >= next_cpu_check) {
                std::uint64_t used = cpu_used_us();
                if (used >= cpu_limit_us) kill(obs_.killed_for_cpu);
                const std::uint64_t left_us = used >= cpu_limit_us ? 0 : cpu_limit_us - used;
                next_cpu_check = now + std::chrono::microseconds(std::max<std::uint64_t>(left_us / cpus, 2000));
            }
            auto deadline = killed_ ? now + std::chrono::seconds(5) : std::min(wall_deadline, sb_.cgroup_ ? next_cpu_check : wall_deadline);
            int timeout_ms = static_cast<int>(std::max<std::int64_t>(
                1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1));

            pollfd fds[6];
            int n = 0;
            fds[n++] = {sb_.pidfd_.get(), POLLIN, 0};
            const int ctl_i = ctl_open_ ? n : -1;
            if (ctl_open_) fds[n++] = {sb_.ctl_.get(), POLLIN, 0};
            const int out_i = out_.open ? n : -1;
            if (out_.open) fds[n++] = {out_.read_end.get(), POLLIN, 0};
            const int err_i = err_.open ? n : -1;
            if (err_.open) fds[n++] = {err_.read_end.get(), POLLIN, 0};
            const int lis_i = sb_.listener_ ? n : -1;
            if (sb_.listener_) fds[n++] = {sb_.listener_.get(), POLLIN, 0};
            const int can_i = cancel_ ? n : -1;
            if (cancel_) fds[n++] = {cancel_->fd(), POLLIN, 0};
            int ready = poll(fds, static_cast<nfds_t>(n), timeout_ms);
            if (ready < 0 && errno != EINTR) break;
            if (ready <= 0) continue;
            if (ctl_i >= 0 && fds[ctl_i].revents) handle_control();
            if (out_i >= 0 && fds[out_i].revents) read_stream(out_);
            if (err_i >= 0 && fds[err_i].revents) read_stream(err_);
            if (lis_i >= 0 && fds[lis_i].revents) {
                if (fds[lis_i].revents & POLLIN) handle_notification();
                else sb_.listener_.reset();
            }
            if (can_i >= 0 && (fds[can_i].revents & POLLIN)) kill(obs_.killed_for_cancel);
            if (fds[0].revents & POLLIN) init_alive = false;
            // The program has ended: the run is over. The init stays until it is
            // killed: by finish() at once when anything else of the run is left,
            // else when the sandbox is retired, off this path, with the namespaces'
            // teardown.
            if (obs_.program_exited) break;
        }
        ended_at_ = Clock::now();
    }

    // True when the cgroup holds the init alone (the program was reaped and no
    // other process of the run survives). Without a cgroup we cannot know.
    bool only_init_left() const {
        if (!sb_.cgroup_) return false;
        auto tasks = sb_.cgroup_->task_count();
        return tasks && *tasks <= 1;
    }

    std::uint64_t cpu_used_us() const {
        auto cpu = sb_.cgroup_->cpu_usage_us();
        if (!cpu || *cpu < sb_.baseline_.cpu_usage_us) return 0;
        return *cpu - sb_.baseline_.cpu_usage_us;
    }

    void finish() {
        const auto ended = ended_at_;
        // Every process of the run is gone after this (or was already, see watch()).
        if (!only_init_left_) sb_.kill_and_reap();
        while (ctl_open_ && handle_control()) {  // messages sent just before the end
        }
        // Every process of the run is dead, so what it wrote is already in the
        // pipes: read until empty (never to EOF: we hold a write end ourselves).
        for (Stream* s : {&out_, &err_})
            if (s->open) read_stream(*s);
        if (sb_.listener_) {
            pollfd p{sb_.listener_.get(), POLLIN, 0};
            if (poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) handle_notification();
        }
        result_.wall_time_us = micros(ended - started_at_);
        read_start_phases(ended);

        if (auto* group = sb_.cgroup_.get()) {
            if (auto u = group->usage()) {
                const auto& base = sb_.baseline_;
                obs_.cpu_us = u->cpu_usage_us > base.cpu_usage_us ? u->cpu_usage_us - base.cpu_usage_us : 0;
                const std::uint64_t peak = u->memory_peak_bytes;
                result_.memory_kib = (peak > base.init_memory_bytes ? peak - base.init_memory_bytes : 0) / 1024;
                if (!u->memory_peak_known) {
                    // v2 before Linux 5.19 has no memory.peak: the largest process's RSS is the best left.
                    result_.memory_kib = rusage_max_rss_kib_;
                    result_.measured_by += "+rusage-memory";
                }
                obs_.oom_kills = u->oom_kills - std::min(u->oom_kills, base.oom_kills);
                obs_.pids_limit_hits = u->pids_limit_hits - std::min(u->pids_limit_hits, base.pids_limit_hits);
            } else {
                obs_.setup_failed = true;
                result_.error = "reading the cgroup's figures: " + u.error().describe();
            }
        } else {
            obs_.cpu_us = rusage_cpu_us_;
            result_.memory_kib = rusage_max_rss_kib_;
        }
        result_.cpu_time_us = obs_.cpu_us;
        result_.status = classify(obs_);
        if (obs_.killed_for_cancel && result_.status == RunStatus::setup_error && result_.error.empty())
            result_.error = "cancelled";
        if (result_.status == RunStatus::setup_error && result_.error.empty())
            result_.error = "the sandbox init ended without reporting the program's status";
        if (obs_.program_exited) {
            if (WIFEXITED(obs_.wait_status)) result_.exit_code = WEXITSTATUS(obs_.wait_status);
            if (WIFSIGNALED(obs_.wait_status)) {
                result_.signal = WTERMSIG(obs_.wait_status);
                result_.signal_name = signal_name(result_.signal);
            }
        } else if (killed_) {
            result_.signal = SIGKILL;
            result_.signal_name = "SIGKILL";
        }
        result_.stdout_truncated = out_.truncated;
        result_.stderr_truncated = err_.truncated;
        result_.stdout_bytes = out_.produced;
        result_.stderr_bytes = err_.produced;
        restore_workdir();
        result_.phases.teardown_us = micros(Clock::now() - ended);
    }

    PreparedSandbox& sb_;
    const RunSpec& spec_;
    CancelToken* cancel_;
    RunResult result_;
    RunObservations obs_;
    Stream out_, err_;
    UniqueFd workdir_fd_;
    std::pair<uid_t, gid_t> workdir_owner_{0, 0};
    bool workdir_handed_over_ = false;
    bool ctl_open_ = true;
    bool killed_ = false;
    bool only_init_left_ = false;
    Clock::time_point started_at_{}, ended_at_{};
    std::uint64_t rusage_cpu_us_ = 0;
    std::uint64_t rusage_max_rss_kib_ = 0;
};

RunResult PreparedSandbox::run(const RunSpec& spec, CancelToken* cancel) {
    Supervisor supervisor(*this, spec, cancel);
    return supervisor.run();
}

}  // namespace ringfence
