// One datagram with file descriptors attached (SCM_RIGHTS), the
// shape of every message between the supervisor, a sandbox's init and the
// mount broker. No allocation: usable in freshly cloned children.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ringfence {

// Sends `size` bytes with the `count` fds attached (none when count is 0). 0, or -1 and errno.
inline int send_with_fds(int sock, const void* data, std::size_t size, const int* fds, std::size_t count) noexcept {
    constexpr std::size_t kMaxSent = 6;  // an init request: three fds and three cgroup v1 files
    if (count > kMaxSent) {
        errno = EINVAL;
        return -1;
    }
    iovec iov{const_cast<void*>(data), size};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char cbuf[CMSG_SPACE(kMaxSent * sizeof(int))];
    if (count > 0) {
        mh.msg_control = cbuf;
        mh.msg_controllen = CMSG_SPACE(count * sizeof(int));
        cmsghdr* c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(count * sizeof(int));
        std::memcpy(CMSG_DATA(c), fds, count * sizeof(int));
    }
    return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

// Sends `size` bytes with `fd` attached when fd >= 0. 0, or -1 and errno.
inline int send_with_fd(int sock, const void* data, std::size_t size, int fd) noexcept {
    return send_with_fds(sock, data, size, &fd, fd >= 0 ? 1 : 0);
}

// The most descriptors one datagram of ours carries: stdio plus the binds.
constexpr std::size_t kMaxPassedFds = 96;

// Receives one datagram into `buf` and up to `max_fds` attached fds (CLOEXEC)
// into `fds`, their count into *nfds; any beyond are closed so a peer cannot
// make us leak them. Returns the byte count, 0 at end of stream, or -1 and
// errno (EMSGSIZE when the datagram or its fds did not fit, nothing kept).
// `flags` is added to MSG_CMSG_CLOEXEC.
inline ssize_t receive_with_fds(int sock, void* buf, std::size_t cap, int* fds, std::size_t max_fds,
                                std::size_t* nfds, int flags = 0) noexcept {
    *nfds = 0;
    iovec iov{buf, cap};
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * kMaxPassedFds)];
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof(cbuf);
    ssize_t n;
    do n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
    while (n < 0 && errno == EINTR);
    if (n < 0) return n;
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (*nfds < max_fds) fds[(*nfds)++] = fd;
            else close(fd);
        }
    }
    if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        for (std::size_t i = 0; i < *nfds; ++i) close(fds[i]);
        *nfds = 0;
        errno = EMSGSIZE;
        return -1;
    }
    return n;
}

// The common case: at most one fd, into *fd_out (-1 when none came).
inline ssize_t receive_with_fd(int sock, void* buf, std::size_t cap, int* fd_out, int flags = 0) noexcept {
    int fd = -1;
    std::size_t nfds = 0;
    ssize_t n = receive_with_fds(sock, buf, cap, &fd, fd_out ? 1 : 0, &nfds, flags);
    if (fd_out) *fd_out = nfds ? fd : -1;
    return n;
}

}  // namespace ringfence
