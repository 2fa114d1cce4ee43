#include "init.hpp"

#include <dirent.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "boot.hpp"
#include "protocol/frame.hpp"

namespace ringfence::vm::guest {
namespace {

[[noreturn]] void power_off() {
    ::sync();
    ::reboot(RB_POWER_OFF);
    // Not reached; if it were, exiting PID 1 panics the kernel and panic=-1
    // with -no-reboot ends QEMU all the same.
    ::_exit(1);
}

void trim(std::string& s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
}

ReadyInfo ready_info(const char* agent_version, std::uint64_t agent_start_ms) {
    ReadyInfo info;
    utsname u{};
    ::uname(&u);
    info.agent_version = agent_version;
    info.kernel_release = u.release;
    info.boot_id = read_small_file("/proc/sys/kernel/random/boot_id");
    info.cmdline = read_small_file("/proc/cmdline");
    trim(info.boot_id);
    trim(info.cmdline);
    info.uptime_ms = boottime_ms();
    info.agent_ms = info.uptime_ms - agent_start_ms;
    if (DIR* d = ::opendir("/sys/class/net")) {
        while (dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') info.net_interfaces.push_back(e->d_name);
        ::closedir(d);
    }
    return info;
}

Result<void> boot_guest() {
    if (auto r = mount_early_filesystems(); !r) return r;
    if (auto r = tune_kernel(); !r) return r;
    if (auto r = load_listed_modules(); !r) return r;
    const std::string fstype = kernel_arg(read_small_file("/proc/cmdline"), "ringfence.rootfs");
    return switch_to_image_root(fstype.empty() ? "squashfs" : fstype, std::chrono::seconds(20));
}

int worker(const char* agent_version, std::uint64_t start_ms, const Result<void>& booted, const AgentBody& body) {
    auto port = open_named_port(kAgentPort, std::chrono::seconds(20));
    if (!port) {
        std::fprintf(stderr, "ringfence-agent: %s\n", port.error().describe().c_str());
        return 1;
    }
    AgentChannel channel(std::move(port.value()));
    if (!booted) {
        (void)channel.send(FrameType::failure, encode_failure({ErrorKind::setup, "guest boot: " + booted.error().describe()}));
        return 1;
    }
    return body(channel, ready_info(agent_version, start_ms));
}

}  // namespace

void run_guest(const char* agent_version, const AgentBody& body) {
    const std::uint64_t start_ms = boottime_ms();
    if (::getpid() != 1) {
        std::fprintf(stderr, "ringfence-agent: must run as PID 1 inside the VM\n");
        ::_exit(2);
    }
    const Result<void> booted = boot_guest();
    const pid_t child = ::fork();
    if (child == 0) ::_exit(worker(agent_version, start_ms, booted, body));
    if (child < 0) power_off();
    while (true) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid == child || (pid < 0 && errno == ECHILD)) power_off();
    }
}

}  // namespace ringfence::vm::guest
