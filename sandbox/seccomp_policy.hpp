// Seccomp policy composition. The order is fixed and documented here:
//   1. Default action: user notification. Any call not allowed below stops the
//      program and reaches the supervisor, which names it and ends the run as a
//      security violation (fail closed, and never silently swallowed).
//   2. Non-native architectures (i386, x32): the same.
//   3. The prologue: calls no profile can allow (forbidden_syscalls()); a
//      profile naming one is refused when it is loaded.
//   4. Argument-filtered calls: ioctl never with TIOCSTI/TIOCLINUX (compared as
//      the 32 bits the kernel uses, CVE-2019-10063), clone never with namespace
//      flags, socket only for the families the profile names, socketpair only
//      for AF_UNIX.
//   5. clone3 answers ENOSYS, so libc falls back to clone, whose flags a filter
//      can see (clone3 passes them in memory).
//   6. The profile's allowlist.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ringfence/error.hpp"

namespace ringfence {

struct SeccompProgram {
    std::vector<sock_filter> instructions;
};

// Syscalls that no profile may allow (step 3).
const std::vector<std::string>& forbidden_syscalls();

// Whether `name` is a syscall (or argument-filtered variant such as "socket:unix")
// a profile may list. Empty string when fine, else the reason.
std::string check_allowable(const std::string& name);

// Whether a program under this allowlist can open no socket but AF_UNIX
// (socketpair makes AF_UNIX pairs only, see step 4).
bool opens_only_unix_sockets(const std::vector<std::string>& allowed);

// Builds the BPF program for an allowlist (steps 1-6).
Result<std::shared_ptr<const SeccompProgram>> compile_seccomp(const std::vector<std::string>& allowed);

// "ptrace", or "i386:syscall-11" for a non-native call.
std::string syscall_name(std::uint32_t audit_arch, int nr);

}  // namespace ringfence
