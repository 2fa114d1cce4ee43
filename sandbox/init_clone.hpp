// Starting the init executable (the init server, init_server.hpp) without
// copying the supervisor's memory.
//
// The child is cloned with CLONE_VM onto a small stack of its own: it shares
// the supervisor's memory (nothing is copied, so neither side takes
// copy-on-write faults) until it execs the init image, which gives it a fresh,
// tiny address space. Until then it runs with the cloning thread's TLS and
// must not touch errno, locks or the heap: it makes raw system calls only.
#pragma once

#include <linux/sched.h>

#include <atomic>
#include <cstddef>

#include "ringfence/error.hpp"

namespace ringfence {

// Everything the child reads; owned by the parent, which must keep it (and
// the stack) alive until the child has exec'd or been reaped.
struct InitExec {
    int image_fd = -1;         // sealed memfd holding the init executable
    int inherit_fds[2] = {-1, -1};  // close-on-exec cleared in the child's fd table only
    char* const* argv = nullptr;
    char* const* envp = nullptr;
    std::atomic<int> failed_errno{0};  // set by the child when the execve (or its preparation) failed
};

class InitStack {
public:
    static Result<InitStack> allocate();
    InitStack(InitStack&& other) noexcept;
    InitStack& operator=(InitStack&&) = delete;
    InitStack(const InitStack&) = delete;
    ~InitStack();

private:
    InitStack(void* base, std::size_t size) : base_(base), size_(size) {}
    friend long clone_init(clone_args& args, InitStack& stack, InitExec& exec);
    void* base_ = nullptr;
    std::size_t size_ = 0;
};

// clone3 with args.flags | CLONE_VM on `stack`; the child execs the image with
// every signal blocked. Returns the child's pid, or -1 with errno.
long clone_init(clone_args& args, InitStack& stack, InitExec& exec);

}  // namespace ringfence
