// The sandbox init executable (embedded in the library, see init_image.hpp).
//   ringfence-init CTL_FD PLAN_FD FLAGS
// It starts as the mapped root of a fresh user namespace, already inside the
// sandbox's other namespaces; its plan (mounts, seccomp) comes in a sealed
// memfd, its orders over the control socket. Failures are reported on the
// control socket like every later step, so the supervisor can name them.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>

#include "child_common.hpp"
#include "child_init.hpp"
#include "init_plan.hpp"

namespace {

using namespace ringfence;

bool parse_number(const char* text, unsigned long& out) {
    if (!text || !*text) return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtoul(text, &end, 10);
    return errno == 0 && *end == '\0';
}

bool read_whole(int fd, std::string& out) {
    struct stat st {};
    if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (16 << 20)) return false;
    out.resize(static_cast<std::size_t>(st.st_size));
    for (std::size_t off = 0; off < out.size();) {
        ssize_t n = pread(fd, out.data() + off, out.size() - off, static_cast<off_t>(off));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    // Before anything else: nothing in the sandbox may read this process.
    prctl(PR_SET_DUMPABLE, 0);
    unsigned long ctl_fd = 0, plan_fd = 0, flags = 0;
    if (argc != 4 || !parse_number(argv[1], ctl_fd) || !parse_number(argv[2], plan_fd) ||
        !parse_number(argv[3], flags) || ctl_fd < 3 || plan_fd < 3 || ctl_fd > 1 << 20 || plan_fd > 1 << 20)
        return 2;  // not started by the library: there is nobody to report to

    ChildPlan plan;
    plan.ctl_fd = static_cast<int>(ctl_fd);
    // It crossed our execve open; the program's execve must close it again.
    if (fcntl(plan.ctl_fd, F_SETFD, FD_CLOEXEC) < 0) return 2;
    std::string bytes;
    if (!read_whole(static_cast<int>(plan_fd), bytes))
        child::fail(plan, control::Stage::read_plan, errno ? errno : EINVAL, "plan memfd");
    close(static_cast<int>(plan_fd));
    auto decoded = decode_init_plan(bytes);
    if (!decoded) child::fail(plan, control::Stage::read_plan, EPROTO, "malformed plan");
    const InitPlan init_plan = std::move(*decoded);

    const InitFlags f = decode_init_flags(static_cast<unsigned>(flags));
    plan.mounts = &init_plan.mounts;
    plan.seccomp = &init_plan.seccomp;
    plan.no_capabilities = cap_init();  // an all-clear state
    if (!plan.no_capabilities) child::fail(plan, control::Stage::program_caps, errno, "cap_init");
    plan.root_mode = f.root_mode;
    plan.use_landlock = f.use_landlock;
    plan.allow_network = f.allow_network;
    plan.unshare_cgroup_ns = f.unshare_cgroup_ns;

    // Left uninitialised on purpose: zeroing would fault in every page of
    // buffers that a run mostly leaves untouched.
    constexpr std::size_t kPathBufferSize = 4096;
    std::unique_ptr<char[]> message(new char[control::kMaxRunMessage]);
    std::unique_ptr<char*[]> run_argv(new char*[control::kMaxArgs + 1]);
    std::unique_ptr<char*[]> run_envp(new char*[control::kMaxArgs + 1]);
    std::unique_ptr<char[]> path_buffer(new char[kPathBufferSize]);
    plan.message = message.get();
    plan.message_capacity = control::kMaxRunMessage;
    plan.argv = run_argv.get();
    plan.envp = run_envp.get();
    plan.path_buffer = path_buffer.get();
    plan.path_buffer_size = kPathBufferSize;
    run_init(plan);
}
