#include "init_clone.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <cerrno>
#include <utility>

// clone3 onto a new stack cannot return into a C++ frame (the child would
// unwind a stack it does not have), so the child side starts in assembly:
// it calls fn(arg) on the new stack and exits with 127 should fn return.
//   long ringfence_clone3_on_stack(clone_args*, size_t, void (*fn)(void*), void* arg)
extern "C" long ringfence_clone3_on_stack(clone_args* args, unsigned long size, void (*fn)(void*), void* arg);

#if defined(__x86_64__)
asm(".text\n"
    ".globl ringfence_clone3_on_stack\n"
    ".type ringfence_clone3_on_stack, @function\n"
    "ringfence_clone3_on_stack:\n"
    "    mov %rdx, %r8\n"         // fn and arg survive the syscall in r8/r9
    "    mov %rcx, %r9\n"
    "    mov $435, %eax\n"        // __NR_clone3
    "    syscall\n"
    "    test %rax, %rax\n"
    "    jnz 1f\n"
    "    xor %ebp, %ebp\n"        // the child: an outermost frame on its own stack
    "    and $-16, %rsp\n"
    "    mov %r9, %rdi\n"
    "    call *%r8\n"
    "    mov $60, %eax\n"         // __NR_exit
    "    mov $127, %edi\n"
    "    syscall\n"
    "    hlt\n"
    "1:  ret\n"
    ".size ringfence_clone3_on_stack, .-ringfence_clone3_on_stack\n");
#elif defined(__aarch64__)
asm(".text\n"
    ".globl ringfence_clone3_on_stack\n"
    ".type ringfence_clone3_on_stack, %function\n"
    "ringfence_clone3_on_stack:\n"
    "    mov x9, x2\n"
    "    mov x10, x3\n"
    "    mov x8, #435\n"
    "    svc #0\n"
    "    cbnz x0, 1f\n"
    "    mov x29, #0\n"
    "    mov x30, #0\n"
    "    mov x0, x10\n"
    "    blr x9\n"
    "    mov x8, #93\n"
    "    mov x0, #127\n"
    "    svc #0\n"
    "1:  ret\n"
    ".size ringfence_clone3_on_stack, .-ringfence_clone3_on_stack\n");
#else
#error "ringfence_clone3_on_stack is written for x86_64 and aarch64 only"
#endif

namespace ringfence {
namespace {

constexpr std::size_t kStackSize = 64 * 1024;

// A system call that leaves errno alone: the child shares the TLS (and so the
// errno) of a thread that is still running in the parent.
long raw_syscall(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) noexcept {
#if defined(__x86_64__)
    long ret;
    register long r10 asm("r10") = d;
    register long r8 asm("r8") = e;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                 : "rcx", "r11", "memory");
    return ret;
#else
    register long x8 asm("x8") = nr;
    register long x0 asm("x0") = a;
    register long x1 asm("x1") = b;
    register long x2 asm("x2") = c;
    register long x3 asm("x3") = d;
    register long x4 asm("x4") = e;
    asm volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
    return x0;
#endif
}

void init_child(void* arg) noexcept {
    auto* exec = static_cast<InitExec*>(arg);
    long rc = 0;
    for (int fd : exec->inherit_fds)
        if (rc >= 0 && fd >= 0) rc = raw_syscall(SYS_fcntl, fd, F_SETFD, 0);
    if (rc >= 0)
        rc = raw_syscall(SYS_execveat, exec->image_fd, reinterpret_cast<long>(""),
                         reinterpret_cast<long>(exec->argv), reinterpret_cast<long>(exec->envp), AT_EMPTY_PATH);
    exec->failed_errno.store(static_cast<int>(-rc), std::memory_order_release);
    raw_syscall(SYS_exit, 127);
}

}  // namespace

Result<InitStack> InitStack::allocate() {
    void* base = mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return setup_error("mmap for the init's stack", errno);
    return InitStack(base, kStackSize);
}

InitStack::InitStack(InitStack&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0)) {}

InitStack::~InitStack() {
    if (base_) munmap(base_, size_);
}

long clone_init(clone_args& args, InitStack& stack, InitExec& exec) {
    args.flags |= CLONE_VM;
    args.stack = reinterpret_cast<std::uint64_t>(stack.base_);
    args.stack_size = stack.size_;
    // No handler of the parent may run on the child's stack before the execve
    // resets them: every signal stays blocked in the child, and the init
    // server keeps them blocked.
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    long pid = ringfence_clone3_on_stack(&args, sizeof(args), init_child, &exec);
    pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    if (pid < 0) {
        errno = static_cast<int>(-pid);
        return -1;
    }
    return pid;
}

}  // namespace ringfence
