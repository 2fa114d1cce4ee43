// Messages between the supervisor and the init server (init_server.hpp): one
// request and one reply per sandbox, over a SOCK_SEQPACKET pair.
#pragma once

#include <linux/sched.h>

#include <cstdint>

namespace ringfence::init_server {

// Sent once by the server when it is ready for requests.
struct Hello {
    std::uint32_t magic;
};
constexpr std::uint32_t kHelloMagic = 0x52464953;  // "RFIS"

// Attached fds, in this order: the init's end of the control socket, the plan
// memfd, the read end of the sync pipe (one byte arrives once the id maps are
// written) and then either, with `into_cgroup`, the cgroup directory to be born
// in, or `join_files` cgroup v1 `tasks` files the init moves itself in through.
struct Request {
    std::uint64_t namespace_flags;  // CLONE_NEW* only
    std::uint32_t init_flags;       // encode_init_flags()
    std::uint32_t into_cgroup;
    // 1: the init may get a network namespace an earlier sandbox used (see
    // netns_lender.hpp); only for sandboxes that can open no socket but AF_UNIX.
    std::uint32_t may_reuse_netns;
    std::uint32_t join_files;  // at most kMaxJoinFiles; never with into_cgroup
};
constexpr std::uint64_t kAllowedNamespaceFlags =
    CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
// A sandbox's init is never made without these, whoever asks.
constexpr std::uint64_t kRequiredNamespaceFlags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS;
constexpr int kRequestFds = 3;
constexpr int kMaxJoinFiles = 3;  // one per cgroup v1 hierarchy

// With the init's pidfd attached when `error` is 0.
struct Reply {
    std::int64_t pid;
    std::int32_t error;  // errno of the failed clone3, or EPROTO for a malformed request
    std::uint32_t reserved;
};

}  // namespace ringfence::init_server
