// The compiled seccomp program, evaluated by a small classic-BPF interpreter,
// so each composition rule is checked without loading a filter.
#include <doctest/doctest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "seccomp_policy.hpp"

using namespace ringfence;

namespace {

// Runs a seccomp BPF program on seccomp_data, as the kernel does (only the
// instructions libseccomp emits: loads, ALU and, jumps, returns).
std::uint32_t evaluate(const SeccompProgram& p, const seccomp_data& data) {
    std::uint32_t a = 0, x = 0;
    std::uint32_t mem[BPF_MEMWORDS] = {};
    const auto* bytes = reinterpret_cast<const unsigned char*>(&data);
    for (std::size_t pc = 0; pc < p.instructions.size(); ++pc) {
        const sock_filter& i = p.instructions[pc];
        switch (i.code) {
            case BPF_LD | BPF_W | BPF_ABS: std::memcpy(&a, bytes + i.k, 4); break;
            case BPF_LD | BPF_IMM: a = i.k; break;
            case BPF_LDX | BPF_IMM: x = i.k; break;
            case BPF_LD | BPF_MEM: a = mem[i.k]; break;
            case BPF_LDX | BPF_MEM: x = mem[i.k]; break;
            case BPF_ST: mem[i.k] = a; break;
            case BPF_STX: mem[i.k] = x; break;
            case BPF_ALU | BPF_AND | BPF_K: a &= i.k; break;
            case BPF_ALU | BPF_OR | BPF_K: a |= i.k; break;
            case BPF_MISC | BPF_TAX: x = a; break;
            case BPF_MISC | BPF_TXA: a = x; break;
            case BPF_JMP | BPF_JA: pc += i.k; break;
            case BPF_JMP | BPF_JEQ | BPF_K: pc += (a == i.k) ? i.jt : i.jf; break;
            case BPF_JMP | BPF_JGT | BPF_K: pc += (a > i.k) ? i.jt : i.jf; break;
            case BPF_JMP | BPF_JGE | BPF_K: pc += (a >= i.k) ? i.jt : i.jf; break;
            case BPF_JMP | BPF_JSET | BPF_K: pc += (a & i.k) ? i.jt : i.jf; break;
            case BPF_RET | BPF_K: return i.k;
            case BPF_RET | BPF_A: return a;
            default: FAIL("unexpected BPF opcode " << i.code); return 0;
        }
    }
    FAIL("program fell off its end");
    return 0;
}

seccomp_data call(int nr, std::uint64_t a0 = 0, std::uint64_t a1 = 0, std::uint32_t arch = AUDIT_ARCH_X86_64) {
    seccomp_data d{};
    d.nr = nr;
    d.arch = arch;
    d.args[0] = a0;
    d.args[1] = a1;
    return d;
}

std::uint32_t action(std::uint32_t ret) { return ret & SECCOMP_RET_ACTION_FULL; }

const SeccompProgram& default_like() {
    static auto p = compile_seccomp(
        {"read", "write", "ioctl", "clone", "socket:unix", "socketpair", "exit_group", "getpid"});
    REQUIRE(p.ok());
    return **p;
}

}  // namespace

TEST_CASE("anything not allowed goes to the supervisor; allowed calls pass") {
    const auto& p = default_like();
    CHECK(action(evaluate(p, call(SCMP_SYS(read)))) == SECCOMP_RET_ALLOW);
    CHECK(action(evaluate(p, call(SCMP_SYS(getpid)))) == SECCOMP_RET_ALLOW);
    for (int nr : {SCMP_SYS(ptrace), SCMP_SYS(mount), SCMP_SYS(bpf), SCMP_SYS(openat), SCMP_SYS(unshare)})
        CHECK(action(evaluate(p, call(nr))) == SECCOMP_RET_USER_NOTIF);
    // What reaching execve after installing the filter needs is always there.
    for (int nr : {SCMP_SYS(execve), SCMP_SYS(sendmsg), SCMP_SYS(close), SCMP_SYS(exit)})
        CHECK(action(evaluate(p, call(nr))) == SECCOMP_RET_ALLOW);
}

TEST_CASE("clone3 answers ENOSYS so libc falls back to clone") {
    auto ret = evaluate(default_like(), call(SCMP_SYS(clone3)));
    CHECK(action(ret) == SECCOMP_RET_ERRNO);
    CHECK((ret & SECCOMP_RET_DATA) == ENOSYS);
}

TEST_CASE("clone with any namespace flag is stopped, without is allowed") {
    const auto& p = default_like();
    const std::uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
    CHECK(action(evaluate(p, call(SCMP_SYS(clone), thread))) == SECCOMP_RET_ALLOW);
    for (std::uint64_t ns : {CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
                             CLONE_NEWUTS, CLONE_NEWCGROUP, CLONE_NEWTIME})
        CHECK(action(evaluate(p, call(SCMP_SYS(clone), thread | ns))) == SECCOMP_RET_USER_NOTIF);
}

TEST_CASE("TIOCSTI and TIOCLINUX are stopped whatever the high 32 bits hold") {
    const auto& p = default_like();
    for (std::uint64_t high : {0ull, 1ull << 32, 0xffffffff00000000ull, 0x1234ull << 40}) {
        CAPTURE(high);
        CHECK(action(evaluate(p, call(SCMP_SYS(ioctl), 0, high | TIOCSTI))) == SECCOMP_RET_USER_NOTIF);
        CHECK(action(evaluate(p, call(SCMP_SYS(ioctl), 0, high | TIOCLINUX))) == SECCOMP_RET_USER_NOTIF);
        CHECK(action(evaluate(p, call(SCMP_SYS(ioctl), 0, high | FIONREAD))) == SECCOMP_RET_ALLOW);
    }
    // Every other request is allowed: neighbours, extremes and a random sample.
    std::mt19937_64 rng(42);
    std::vector<std::uint64_t> requests = {0, TIOCSTI - 1, TIOCSTI + 1, TIOCLINUX - 1, TIOCLINUX + 1,
                                           0xffffffffull, TCGETS, TIOCGWINSZ, FIONBIO};
    for (int i = 0; i < 2000; ++i) requests.push_back(rng());
    for (std::uint64_t r : requests) {
        std::uint32_t low = static_cast<std::uint32_t>(r);
        if (low == TIOCSTI || low == TIOCLINUX) continue;
        CAPTURE(r);
        CHECK(action(evaluate(p, call(SCMP_SYS(ioctl), 0, r))) == SECCOMP_RET_ALLOW);
    }
}

TEST_CASE("sockets only for the families the profile names") {
    const auto& p = default_like();
    CHECK(action(evaluate(p, call(SCMP_SYS(socket), AF_UNIX))) == SECCOMP_RET_ALLOW);
    CHECK(action(evaluate(p, call(SCMP_SYS(socket), (1ull << 32) | AF_UNIX))) == SECCOMP_RET_ALLOW);
    for (int family : {AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_VSOCK, AF_ALG})
        CHECK(action(evaluate(p, call(SCMP_SYS(socket), static_cast<std::uint64_t>(family)))) ==
              SECCOMP_RET_USER_NOTIF);
    auto inet = compile_seccomp({"socket:inet"});
    REQUIRE(inet.ok());
    CHECK(action(evaluate(**inet, call(SCMP_SYS(socket), AF_INET))) == SECCOMP_RET_ALLOW);
    CHECK(action(evaluate(**inet, call(SCMP_SYS(socket), AF_INET6))) == SECCOMP_RET_USER_NOTIF);
}

TEST_CASE("socketpair only for AF_UNIX, whose pairs are the only ones there are") {
    const auto& p = default_like();
    CHECK(action(evaluate(p, call(SCMP_SYS(socketpair), AF_UNIX))) == SECCOMP_RET_ALLOW);
    for (int family : {AF_INET, AF_INET6, AF_NETLINK, AF_TIPC})
        CHECK(action(evaluate(p, call(SCMP_SYS(socketpair), static_cast<std::uint64_t>(family)))) ==
              SECCOMP_RET_USER_NOTIF);
}

TEST_CASE("an allowlist opens only unix sockets unless it names another family") {
    CHECK(opens_only_unix_sockets({"read", "socket:unix", "socketpair", "connect"}));
    CHECK(opens_only_unix_sockets({}));
    CHECK_FALSE(opens_only_unix_sockets({"socket:unix", "socket:inet"}));
    CHECK_FALSE(opens_only_unix_sockets({"socket:inet6"}));
    CHECK_FALSE(opens_only_unix_sockets({"socket:netlink"}));
}

TEST_CASE("non-native architectures and x32 calls go to the supervisor") {
    const auto& p = default_like();
    CHECK(action(evaluate(p, call(3 /* i386 read */, 0, 0, AUDIT_ARCH_I386))) == SECCOMP_RET_USER_NOTIF);
    CHECK(action(evaluate(p, call(0x40000000 | SCMP_SYS(read)))) == SECCOMP_RET_USER_NOTIF);
    CHECK(syscall_name(AUDIT_ARCH_X86_64, 0x40000000 | 39) == "x32:getpid");
    CHECK(syscall_name(AUDIT_ARCH_X86_64, SCMP_SYS(ptrace)) == "ptrace");
    CHECK(syscall_name(AUDIT_ARCH_I386, 26) == "i386:ptrace");
}

TEST_CASE("the prologue cannot be allowed, and names are checked") {
    for (const auto& name : forbidden_syscalls()) {
        CAPTURE(name);
        CHECK_FALSE(check_allowable(name).empty());
        CHECK_FALSE(compile_seccomp({name}).ok());
    }
    CHECK_FALSE(check_allowable("socket").empty());
    CHECK_FALSE(check_allowable("socket:carrier-pigeon").empty());
    CHECK_FALSE(check_allowable("not_a_syscall").empty());
    CHECK(check_allowable("read").empty());
    CHECK(check_allowable("socket:netlink").empty());
}
