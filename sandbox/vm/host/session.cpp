#include "session.hpp"

#include <unistd.h>

#include <cerrno>

namespace ringfence::vm {
namespace {

SessionEnd end_for(ChannelEvent event) {
    switch (event) {
        case ChannelEvent::timeout: return SessionEnd::timeout;
        case ChannelEvent::cancelled: return SessionEnd::cancelled;
        case ChannelEvent::closed: return SessionEnd::guest_gone;
        case ChannelEvent::violation: return SessionEnd::violation;
        case ChannelEvent::frame:
        case ChannelEvent::io_error: break;
    }
    return SessionEnd::io_error;
}

// Host-side copy of a run's output, re-enforcing the limit the guest was given.
class OutputStream {
public:
    OutputStream(const OutputTarget& target, std::uint64_t limit, const char* name)
        : target_(target), limit_(limit), name_(name) {}

    // false: the guest sent more than the job's limit allows.
    bool add(const std::string& chunk, std::string& problem) {
        if (chunk.size() > limit_ - std::min(limit_, bytes_)) {
            problem = std::string("guest sent more ") + name_ + " than the output limit of " +
                      std::to_string(limit_) + " bytes";
            return false;
        }
        bytes_ += chunk.size();
        switch (target_.kind) {
            case OutputTarget::Kind::capture: data_ += chunk; break;
            case OutputTarget::Kind::forward:
            case OutputTarget::Kind::raw_fd: write_all(target_.fd, chunk); break;
            case OutputTarget::Kind::discard: break;
        }
        return true;
    }
    std::string take() { return std::move(data_); }

private:
    static void write_all(int fd, const std::string& data) {
        std::size_t done = 0;
        while (done < data.size()) {
            const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;  // the reader went away: keep counting, stop writing
            done += static_cast<std::size_t>(n);
        }
    }

    const OutputTarget& target_;
    std::uint64_t limit_;
    const char* name_;
    std::uint64_t bytes_ = 0;
    std::string data_;
};

// A `failure` frame: the agent's own report, or a violation when malformed.
SessionError agent_failure(const std::string& payload) {
    auto f = decode_failure(payload);
    if (!f) return {SessionEnd::violation, f.error().message};
    return {SessionEnd::agent_failed, f->message, f->kind};
}

}  // namespace

const char* to_string(SessionEnd end) noexcept {
    switch (end) {
        case SessionEnd::completed: return "completed";
        case SessionEnd::timeout: return "timeout";
        case SessionEnd::cancelled: return "cancelled";
        case SessionEnd::guest_gone: return "guest gone";
        case SessionEnd::violation: return "protocol violation";
        case SessionEnd::agent_failed: return "agent failed";
        case SessionEnd::io_error: return "i/o error";
    }
    return "?";
}

template <class T>
SessionResult<T> GuestSession::end_with(const Received& r) {
    SessionResult<T> out;
    out.error = {end_for(r.event), r.detail};
    return out;
}

template <class T>
SessionResult<T> GuestSession::violation(std::string message) {
    SessionResult<T> out;
    out.error = {SessionEnd::violation, std::move(message)};
    return out;
}

SessionResult<ReadyInfo> GuestSession::wait_ready(Clock::time_point deadline, int cancel_fd) {
    if (ready_seen_) return violation<ReadyInfo>("internal: ready awaited twice");
    const Received r = channel_.receive(deadline, cancel_fd);
    if (r.event != ChannelEvent::frame) return end_with<ReadyInfo>(r);
    // The agent could not boot the guest (no root device, a module missing).
    if (r.frame.type == FrameType::failure) return {std::nullopt, agent_failure(r.frame.payload)};
    if (r.frame.type != FrameType::ready)
        return violation<ReadyInfo>(std::string("expected 'ready', got '") + to_string(r.frame.type) + "'");
    auto info = decode_ready(r.frame.payload);
    if (!info) return violation<ReadyInfo>(info.error().message);
    ready_seen_ = true;
    return {std::move(info.value()), {}};
}

std::optional<SessionError> GuestSession::send_job(const JobRequest& request, Clock::time_point deadline,
                                                   int cancel_fd) {
    if (!ready_seen_ || job_sent_)
        return SessionError{SessionEnd::violation, "internal: a VM takes exactly one job, after 'ready'"};
    job_sent_ = true;
    const Received sent = channel_.send(FrameType::job, encode_job(request), deadline, cancel_fd);
    if (sent.event != ChannelEvent::frame) return SessionError{end_for(sent.event), sent.detail};
    return std::nullopt;
}

SessionResult<RunResult> GuestSession::run(const JobRequest& request, const OutputTarget& out_target,
                                           const OutputTarget& err_target, Clock::time_point deadline,
                                           int cancel_fd) {
    if (request.kind != JobKind::run) return violation<RunResult>("internal: not a run job");
    if (auto e = send_job(request, deadline, cancel_fd)) return {std::nullopt, *e};
    const bool streaming = request.run.stream_output;
    OutputStream out(out_target, request.run.limits.output_bytes, "stdout");
    OutputStream err(err_target, request.run.limits.output_bytes, "stderr");
    while (true) {
        const Received r = channel_.receive(deadline, cancel_fd);
        if (r.event != ChannelEvent::frame) return end_with<RunResult>(r);
        std::string problem;
        switch (r.frame.type) {
            case FrameType::stdout_data:
            case FrameType::stderr_data: {
                if (!streaming) return violation<RunResult>("output frame for a job that asked for no streaming");
                auto& stream = r.frame.type == FrameType::stdout_data ? out : err;
                if (!stream.add(r.frame.payload, problem)) return violation<RunResult>(problem);
                break;
            }
            case FrameType::result: {
                auto result = decode_run_result(r.frame.payload);
                if (!result) return violation<RunResult>(result.error().message);
                if (streaming) {
                    if (!result->stdout_data.empty() || !result->stderr_data.empty())
                        return violation<RunResult>("streamed run carried output in its result");
                    result->stdout_data = out.take();
                    result->stderr_data = err.take();
                } else {
                    for (auto [data, stream] : {std::pair{&result->stdout_data, &out},
                                                std::pair{&result->stderr_data, &err}}) {
                        if (!stream->add(*data, problem)) return violation<RunResult>(problem);
                        *data = stream->take();
                    }
                }
                return {std::move(result.value()), {SessionEnd::completed, {}}};
            }
            case FrameType::failure:
                return {std::nullopt, agent_failure(r.frame.payload)};
            default:
                return violation<RunResult>(std::string("unexpected '") + to_string(r.frame.type) + "' frame");
        }
    }
}

SessionResult<JobResult> GuestSession::judge(const JobRequest& request, Clock::time_point deadline,
                                             int cancel_fd) {
    if (request.kind != JobKind::judge) return violation<JobResult>("internal: not a judge job");
    if (auto e = send_job(request, deadline, cancel_fd)) return {std::nullopt, *e};
    const Received r = channel_.receive(deadline, cancel_fd);
    if (r.event != ChannelEvent::frame) return end_with<JobResult>(r);
    if (r.frame.type == FrameType::failure) return {std::nullopt, agent_failure(r.frame.payload)};
    if (r.frame.type != FrameType::result)
        return violation<JobResult>(std::string("unexpected '") + to_string(r.frame.type) + "' frame");
    auto result = decode_job_result(r.frame.payload);
    if (!result) return violation<JobResult>(result.error().message);
    if (result->tests.size() > request.judge.tests.size())
        return violation<JobResult>("result has more tests than the job");
    return {std::move(result.value()), {SessionEnd::completed, {}}};
}

}  // namespace ringfence::vm
