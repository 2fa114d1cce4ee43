// The Launcher: host set-up once, then one fresh sandbox per run, either
// prepared ahead of time by the pool or built on demand.
#include "ringfence/launcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "init_image.hpp"
#include "landlock.hpp"
#include "prepared_sandbox.hpp"
#include "sandbox_pool.hpp"

namespace ringfence {

CancelToken::CancelToken() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
CancelToken::~CancelToken() {
    if (fd_ >= 0) close(fd_);
}
void CancelToken::cancel() {
    std::uint64_t one = 1;
    if (write(fd_, &one, sizeof(one)) < 0) {
        // Only fails when the counter would overflow: it is already cancelled.
    }
}
bool CancelToken::cancelled() const {
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

namespace {

// A directory we own, not a symlink, traversable by the sandbox ids.
Result<void> make_private_dir(const std::string& path, mode_t mode) {
    if (mkdir(path.c_str(), mode) < 0 && errno != EEXIST) return setup_error("mkdir " + path, errno);
    struct stat st {};
    if (lstat(path.c_str(), &st) < 0) return setup_error("stat " + path, errno);
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        return setup_error(path + " exists but is not a directory owned by uid " + std::to_string(geteuid()));
    if (chmod(path.c_str(), mode) < 0) return setup_error("chmod " + path, errno);
    return {};
}

std::string default_runtime_dir() {
    if (geteuid() == 0) return "/run/ringfence";
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) return std::string(xdg) + "/ringfence";
    return "/tmp/ringfence-" + std::to_string(geteuid());
}

class LauncherImpl final : public Launcher {
public:
    explicit LauncherImpl(std::unique_ptr<SandboxContext> context)
        : context_(std::move(context)), pool_(*context_) {}

    RunResult run(const RunSpec& spec, CancelToken* cancel) override {
        if (!spec.profile) {
            RunResult r;
            r.error = "no security profile given";
            r.measured_by = context_->measured_by();
            return r;
        }
        SandboxShape shape{spec.profile, spec.network, spec.limits.box_size_kib};
        auto sandbox = pool_.take(shape, spec.limits);
        if (!sandbox) {
            RunResult r;
            r.error = sandbox.error().describe();
            r.measured_by = context_->measured_by();
            return r;
        }
        ++active_;
        RunResult result = sandbox->sandbox->run(spec, cancel);
        --active_;
        result.phases.from_pool = sandbox->from_pool;
        if (sandbox->from_pool) result.phases.prepare_us = 0;  // done before the run was asked for
        pool_.retire(std::move(sandbox->sandbox));
        return result;
    }

    void prewarm(const RunSpec& shape, unsigned runs) override {
        if (shape.profile) pool_.want({shape.profile, shape.network, shape.limits.box_size_kib}, shape.limits, runs);
    }

    std::string measurement() const override { return context_->measured_by(); }
    bool rootless() const override { return !context_->root_mode; }
    unsigned active_sandboxes() const override { return active_.load(); }
    unsigned ready_sandboxes() const override { return pool_.ready(); }

private:
    std::unique_ptr<SandboxContext> context_;
    SandboxPool pool_;
    std::atomic<unsigned> active_{0};
};

}  // namespace

Result<std::unique_ptr<Launcher>> Launcher::create(LauncherConfig config) {
    auto ctx = std::make_unique<SandboxContext>();
    ctx->root_mode = geteuid() == 0;
    ctx->caller_uid = geteuid();
    ctx->caller_gid = getegid();
    ctx->runtime_dir = config.runtime_dir.empty() ? default_runtime_dir() : config.runtime_dir.string();
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(ctx->runtime_dir).parent_path(), ec);
    if (auto r = make_private_dir(ctx->runtime_dir, 0755); !r) return r.error();
    ctx->staging_dir = ctx->runtime_dir + "/newroot";
    if (auto r = make_private_dir(ctx->staging_dir, 0755); !r) return r.error();
    if (ctx->root_mode) {
        if (auto r = UidPool::validate_range(config.uid_base, config.uid_count); !r) return r.error();
        const std::string locks = ctx->runtime_dir + "/uids";
        if (auto r = make_private_dir(locks, 0700); !r) return r.error();
        ctx->uids = std::make_unique<UidPool>(locks, config.uid_base, config.uid_count);
    }
    CgroupOptions cg;
    cg.root = config.cgroup_root;
    if (auto backend = detect_cgroups(cg)) {
        ctx->cgroups = std::move(*backend);
        // A launcher killed outright (SIGKILL, a crash) could not remove its
        // groups: thousands of them slow every cgroup operation of the host.
        if (auto swept = ctx->cgroups->remove_stale_groups(); !swept) return swept.error();
    } else if (!config.allow_rlimit_only) {
        return setup_error(backend.error().describe() +
                           " (runs fail closed without cgroups; allow_rlimit_only permits a degraded, "
                           "rusage-measured mode)");
    }
    ctx->broker = std::make_unique<MountBroker>(ctx->root_mode);
    ctx->landlock = landlock::abi_version() > 0;
    auto image = open_init_image();
    if (!image) return image.error();
    ctx->init_server = std::make_unique<InitServer>(std::move(*image));
    ctx->config = std::move(config);
    return std::unique_ptr<Launcher>(std::make_unique<LauncherImpl>(std::move(ctx)));
}

}  // namespace ringfence
