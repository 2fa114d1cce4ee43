#include "mount_broker.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "close_fds.hpp"
#include "fd_passing.hpp"
#include "syscalls.hpp"

namespace ringfence {
namespace {

constexpr std::size_t kMaxPath = 4096;

// The broker process: after clone, so no allocation. One request, one reply.
[[noreturn]] void broker_main(int sock, int sync_fd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Drop every inherited fd at once: a copy of some run's pipe would keep it open.
    close_all_except({sock, sync_fd});
    char byte;
    if (read(sync_fd, &byte, 1) != 1) _exit(1);
    close(sync_fd);
    static char path[kMaxPath + 1];
    for (;;) {
        ssize_t n = recv(sock, path, kMaxPath, 0);
        if (n <= 0) _exit(0);
        path[n] = '\0';
        int fd = sys::open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        int err = fd < 0 ? errno : 0;
        if (send_with_fd(sock, &err, sizeof(err), fd) < 0) _exit(1);
        if (fd >= 0) close(fd);
    }
}

Result<void> write_file(const std::string& path, const std::string& content) {
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd || write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
        return setup_error("mount broker: writing " + path, errno);
    return {};
}

}  // namespace

MountBroker::~MountBroker() {
    std::lock_guard lock(mutex_);
    stop();
}

void MountBroker::stop() {
    socket_.reset();
    if (pidfd_) {
        sys::pidfd_send_signal(pidfd_.get(), SIGKILL);
        sys::reap_pidfd(pidfd_.get());
        pidfd_.reset();
    }
}

Result<void> MountBroker::start() {
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return setup_error("mount broker: socketpair", errno);
    UniqueFd ours(sp[0]), theirs(sp[1]);
    int pp[2];
    if (pipe2(pp, O_CLOEXEC) < 0) return setup_error("mount broker: pipe", errno);
    UniqueFd sync_read(pp[0]), sync_write(pp[1]);
    clone_args args{};
    args.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_PIDFD;
    int pidfd = -1;
    args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    long pid = sys::clone3(&args);
    if (pid < 0) return setup_error("mount broker: clone3 with a user namespace", errno);
    if (pid == 0) {
        ours.release();
        sync_write.release();
        broker_main(theirs.release(), sync_read.release());
    }
    pidfd_.reset(pidfd);
    // Identity map: inside, the broker is the caller, so file access is the caller's.
    const std::string proc = "/proc/" + std::to_string(pid);
    const std::string uid = std::to_string(geteuid()), gid = std::to_string(getegid());
    if (auto r = write_file(proc + "/setgroups", "deny"); !r) return r;
    if (auto r = write_file(proc + "/uid_map", uid + " " + uid + " 1\n"); !r) return r;
    if (auto r = write_file(proc + "/gid_map", gid + " " + gid + " 1\n"); !r) return r;
    if (write(sync_write.get(), "x", 1) != 1) return setup_error("mount broker: start", errno);
    socket_ = std::move(ours);
    return {};
}

Result<UniqueFd> MountBroker::clone_tree(const std::string& host_path) {
    if (root_mode_) {
        UniqueFd tree(sys::open_tree(AT_FDCWD, host_path.c_str(),
                                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
        if (!tree) return input_error("cannot bind " + host_path + ": " + std::strerror(errno));
        return tree;
    }
    if (host_path.empty() || host_path.size() > kMaxPath || host_path.find('\0') != std::string::npos)
        return input_error("cannot bind '" + host_path + "': unusable path");
    std::lock_guard lock(mutex_);
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!socket_)
            if (auto r = start(); !r) return r.error();
        if (send(socket_.get(), host_path.data(), host_path.size(), MSG_NOSIGNAL) < 0) {
            stop();  // the broker died (its creating thread exited): start a new one
            continue;
        }
        int err = 0;
        int fd = -1;
        ssize_t n = receive_with_fd(socket_.get(), &err, sizeof(err), &fd);
        UniqueFd tree(fd);
        if (n != sizeof(err)) {
            stop();
            continue;
        }
        if (err != 0) return input_error("cannot bind " + host_path + ": " + std::strerror(err));
        if (!tree) return setup_error("mount broker sent no tree");
        return tree;
    }
    return setup_error("mount broker keeps failing");
}

}  // namespace ringfence
