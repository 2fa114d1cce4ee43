// Empty network namespaces, kept by the init server and lent to one sandbox at
// a time.
//
// Making a network namespace and tearing it down again (the kernel's
// copy_net_ns and cleanup_net) costs about 1 ms of CPU per sandbox on the
// development host, more than any other namespace. A namespace can go from one
// sandbox to the next only if the first leaves nothing in it the second could
// read:
// - No sockets. Every socket closes with the last process of its pid namespace,
//   which has ended before the init's pidfd turns readable; one only in flight
//   lingers until the kernel's collector frees it, so a namespace is lent again
//   only once its socket count reads zero.
// - No changed state. It belongs to the server's user namespace, in which no
//   process of a sandbox has any capability: no interface, address, route or
//   sysctl moves, and the loopback stays down.
// - No moved counters. The cumulative per-namespace counters (/proc/net/snmp,
//   /proc/net/netstat: a failed sendto counts as OutNoRoutes) move only for
//   inet sockets, so the server lends only to sandboxes whose seccomp policy
//   opens no socket but AF_UNIX (the request says so); every other sandbox gets
//   a fresh namespace from clone3.
// It is never lent to two sandboxes at once, which would open a channel
// between them (abstract sockets, /proc/net/unix).
//
// Only a server that may make network namespaces itself (root) lends them;
// rootless, every init still gets a fresh one from clone3 (CLONE_NEWNET).
#pragma once

#include <poll.h>

#include <cstddef>
#include <vector>

namespace ringfence {

class NetnsLender {
public:
    NetnsLender() = default;
    NetnsLender(const NetnsLender&) = delete;
    NetnsLender& operator=(const NetnsLender&) = delete;
    ~NetnsLender();

    // Decides once whether this process can lend namespaces: it needs its
    // current (the host's) namespace by fd and the right to make new ones.
    void start() noexcept;
    bool lending() const { return host_ >= 0; }

    // Puts this process into an empty namespace no sandbox is using, for the
    // next clone to inherit; its fd, or -1 when there is none to be had (the
    // caller then asks clone3 for a fresh one).
    int enter_free() noexcept;
    // Back into the host's namespace, for a sandbox whose profile allows the
    // network. False (errno set) when that fails.
    bool enter_host() noexcept;
    // `netns` (from enter_free) is in use until `init_pidfd` reports its
    // process ended; takes both fds.
    void lend(int netns, int init_pidfd) noexcept;
    // `netns` from enter_free was not lent after all (the clone failed).
    void keep(int netns) noexcept;
    // `netns` from enter_free is never to be lent again; closes it.
    void forget(int netns) noexcept;

    // The pidfds of inits holding a namespace, appended for poll(); after the
    // poll, `collect` takes back the namespaces of those that ended.
    void add_poll_fds(std::vector<pollfd>& fds) const;
    void collect(const pollfd* fds, std::size_t count) noexcept;

    std::size_t free_count() const { return free_.size(); }
    std::size_t lent_count() const { return lent_.size(); }

private:
    struct Loan {
        int netns;
        int init_pidfd;
    };
    bool enter(int netns) noexcept;

    int host_ = -1;     // the namespace the server started in
    int current_ = -1;  // the namespace the server is in now (one of ours, or host_)
    std::vector<int> free_;
    std::vector<Loan> lent_;
};

}  // namespace ringfence
