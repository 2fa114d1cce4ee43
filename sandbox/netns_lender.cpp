#include "netns_lender.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstring>

namespace ringfence {
namespace {

// Enough for the pools and concurrent runs of a busy service; past these,
// namespaces are closed (free) or made fresh by clone3 (lent).
constexpr std::size_t kMaxFree = 64;
constexpr std::size_t kMaxLent = 1024;

int open_own_netns() noexcept { return open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC); }

// Whether the namespace this thread is in holds no socket of any family.
// Sockets of an ended sandbox can outlive it: a unix socket that is only in
// flight (sent over a socket itself only in flight) is freed by the kernel's
// garbage collector a moment after the last process has gone, and until then
// its abstract name is still bound and listed in /proc/net/unix. The first
// line of sockstat counts the namespace's user sockets of every family.
bool holds_no_sockets() noexcept {
    const int fd = open("/proc/thread-self/net/sockstat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[64];
    const ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return false;
    buf[n] = '\0';
    static constexpr char kNone[] = "sockets: used 0\n";
    return std::strncmp(buf, kNone, sizeof(kNone) - 1) == 0;
}

}  // namespace

NetnsLender::~NetnsLender() {
    for (int ns : free_) close(ns);
    for (const Loan& loan : lent_) {
        close(loan.netns);
        close(loan.init_pidfd);
    }
    if (host_ >= 0) close(host_);
}

void NetnsLender::start() noexcept {
    const int host = open_own_netns();
    if (host < 0) return;
    // Rootless this fails (EPERM) and nothing has changed.
    if (unshare(CLONE_NEWNET) < 0) {
        close(host);
        return;
    }
    const int first = open_own_netns();
    // A namespace is only lent again once it proves empty; if that cannot be
    // read even of a new one, none is ever lent.
    if (first < 0 || !holds_no_sockets()) {
        if (first >= 0) close(first);
        setns(host, CLONE_NEWNET);
        close(host);
        return;
    }
    host_ = host;
    current_ = first;
    free_.push_back(first);
}

bool NetnsLender::enter(int netns) noexcept {
    if (netns == current_) return true;
    if (setns(netns, CLONE_NEWNET) < 0) return false;
    current_ = netns;
    return true;
}

void NetnsLender::forget(int netns) noexcept {
    // The fd number may come back for another namespace.
    if (netns == current_) current_ = -1;
    close(netns);
}

int NetnsLender::enter_free() noexcept {
    if (host_ < 0 || lent_.size() >= kMaxLent) return -1;
    while (!free_.empty()) {
        const int netns = free_.back();
        free_.pop_back();
        if (enter(netns) && holds_no_sockets()) return netns;
        forget(netns);  // its sockets are freed with it, by the kernel
    }
    if (unshare(CLONE_NEWNET) < 0) return -1;
    current_ = open_own_netns();
    return current_;
}

bool NetnsLender::enter_host() noexcept { return host_ < 0 || enter(host_); }

void NetnsLender::lend(int netns, int init_pidfd) noexcept { lent_.push_back({netns, init_pidfd}); }

void NetnsLender::keep(int netns) noexcept {
    if (free_.size() < kMaxFree) free_.push_back(netns);
    else forget(netns);
}

void NetnsLender::add_poll_fds(std::vector<pollfd>& fds) const {
    for (const Loan& loan : lent_) fds.push_back({loan.init_pidfd, POLLIN, 0});
}

void NetnsLender::collect(const pollfd* fds, std::size_t count) noexcept {
    // Backwards, so that moving the last loan into a freed slot only moves
    // one already looked at.
    for (std::size_t i = count < lent_.size() ? count : lent_.size(); i-- > 0;) {
        if (fds[i].revents == 0) continue;
        const Loan loan = lent_[i];
        lent_[i] = lent_.back();
        lent_.pop_back();
        close(loan.init_pidfd);
        // A pidfd turns readable once its process has ended, and the init of
        // a pid namespace ends only after every other process in it. Any
        // other report (an error) proves nothing: that namespace is not lent
        // again.
        if (fds[i].revents & POLLIN) keep(loan.netns);
        else forget(loan.netns);
    }
}

}  // namespace ringfence
