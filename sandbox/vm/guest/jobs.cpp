#include "jobs.hpp"

#include <fcntl.h>
#include <linux/random.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "unique_fd.hpp"

namespace ringfence::vm::guest {
namespace {

void send_failure(AgentChannel& channel, ErrorKind kind, const std::string& message) {
    (void)channel.send(FrameType::failure, encode_failure({kind, message}));
}

// Copies a pipe into output frames until the write end closes.
void pump(AgentChannel& channel, int fd, FrameType type) {
    std::vector<char> buf(FrameLimits{}.output_chunk);
    while (true) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        if (!channel.send(type, std::string_view(buf.data(), static_cast<std::size_t>(n)))) return;
    }
}

}  // namespace

void add_host_entropy(const std::string& bytes) {
    if (bytes.empty()) return;
    std::vector<unsigned char> buf(sizeof(rand_pool_info) + bytes.size());
    auto* info = reinterpret_cast<rand_pool_info*>(buf.data());
    info->entropy_count = static_cast<int>(bytes.size() * 8);
    info->buf_size = static_cast<int>(bytes.size());
    std::memcpy(info->buf, bytes.data(), bytes.size());
    UniqueFd fd(::open("/dev/urandom", O_WRONLY | O_CLOEXEC));
    if (fd) (void)::ioctl(fd.get(), RNDADDENTROPY, info);
}

Result<std::unique_ptr<JobRunner>> JobRunner::create() {
    std::unique_ptr<JobRunner> runner(new JobRunner);
    LauncherConfig config;
    config.pool_size = 1;
    auto launcher = Launcher::create(config);
    if (!launcher) return setup_error("in-guest launcher: " + launcher.error().describe());
    runner->launcher_ = std::move(launcher.value());
    // Most run jobs use the default profile: have its sandbox ready.
    if (auto profile = runner->profiles_.security("default")) {
        RunSpec shape;
        shape.profile = profile.value();
        runner->launcher_->prewarm(shape);
    }
    return runner;
}

void JobRunner::start_judge() {
    judge_setup_ = std::thread([this] {
        JudgeConfig config;
        config.test_concurrency = 2;
        auto judge = Judge::create(config, *launcher_, profiles_);
        if (judge) judge_ = std::move(judge.value());
        else judge_error_ = setup_error("in-guest judge: " + judge.error().describe());
    });
}

JobRunner::~JobRunner() {
    if (judge_setup_.joinable()) judge_setup_.join();
}

void JobRunner::handle(AgentChannel& channel, const JobRequest& request) {
    add_host_entropy(request.entropy);
    if (request.kind == JobKind::run) run(channel, request.run);
    else judge(channel, request.judge);
}

void JobRunner::run(AgentChannel& channel, const RunRequest& q) {
    auto profile = profiles_.security(q.profile);
    if (!profile) return send_failure(channel, ErrorKind::input, "profile: " + profile.error().describe());
    if (q.network) return send_failure(channel, ErrorKind::input, "network: the VM tier has no network device");
    RunSpec spec;
    spec.argv = q.argv;
    spec.env = q.env;
    spec.cwd = q.cwd;
    spec.limits = q.limits;
    spec.profile = profile.value();
    spec.stdin_source = InputSource::bytes(q.stdin_data);
    spec.box_files = q.box_files;

    RunResult result;
    if (q.stream_output) {
        int out[2], err[2];
        if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
            return send_failure(channel, ErrorKind::setup, std::string("pipe: ") + std::strerror(errno));
        UniqueFd out_r(out[0]), out_w(out[1]), err_r(err[0]), err_w(err[1]);
        spec.stdout_target = OutputTarget::forward(out_w.get());
        spec.stderr_target = OutputTarget::forward(err_w.get());
        std::thread out_pump(pump, std::ref(channel), out_r.get(), FrameType::stdout_data);
        std::thread err_pump(pump, std::ref(channel), err_r.get(), FrameType::stderr_data);
        result = launcher_->run(spec);
        // Every process of the run is gone: closing our ends ends the pumps.
        out_w.reset();
        err_w.reset();
        out_pump.join();
        err_pump.join();
    } else {
        result = launcher_->run(spec);
    }
    (void)channel.send(FrameType::result, encode_run_result(result));
}

}  // namespace ringfence::vm::guest

namespace ringfence::vm::guest {

void JobRunner::judge(AgentChannel& channel, const Job& job) {
    if (judge_setup_.joinable()) judge_setup_.join();
    if (!judge_) return send_failure(channel, ErrorKind::setup, judge_error_ ? judge_error_->describe() : "no judge");
    auto normalized = judge_->normalize(job);
    if (!normalized) return send_failure(channel, normalized.error().kind, normalized.error().message);
    const JobResult result = judge_->run(normalized.value(), JudgeContext{});
    (void)channel.send(FrameType::result, encode_job_result(result));
}

}  // namespace ringfence::vm::guest
