// The host's side of one VM's conversation with its agent: wait for `ready`,
// send the one job, take output and the result. Everything the guest says is
// checked: frame order, output volume against the job's own limits, and the
// result's every field. Any deviation ends the session as a violation; the
// owner then kills the VM.
#pragma once

#include <string>

#include "channel.hpp"
#include "protocol/messages.hpp"
#include "ringfence/run_spec.hpp"

namespace ringfence::vm {

enum class SessionEnd {
    completed,
    timeout,     // the VM's hard wall-time limit (or the boot timeout) passed
    cancelled,
    guest_gone,  // QEMU exited or the guest closed the port
    violation,   // the guest broke the protocol
    agent_failed,  // the agent reported it could not run the job
    io_error,
};

const char* to_string(SessionEnd end) noexcept;

struct SessionError {
    SessionEnd end = SessionEnd::io_error;
    std::string message;
    ErrorKind agent_kind = ErrorKind::internal;  // agent_failed: the agent's classification
};

template <class T>
struct SessionResult {
    std::optional<T> value;
    SessionError error;
    bool ok() const { return value.has_value(); }
};

class GuestSession {
public:
    explicit GuestSession(HostChannel channel) : channel_(std::move(channel)) {}

    SessionResult<ReadyInfo> wait_ready(Clock::time_point deadline, int cancel_fd = -1);
    // Streams stdout/stderr frames to the targets (capture, forward, discard),
    // each cut at its limit, then returns the guest's result.
    SessionResult<RunResult> run(const JobRequest& request, const OutputTarget& out, const OutputTarget& err,
                                 Clock::time_point deadline, int cancel_fd = -1);
    SessionResult<JobResult> judge(const JobRequest& request, Clock::time_point deadline, int cancel_fd = -1);

    bool ready_seen() const { return ready_seen_; }

private:
    template <class T>
    SessionResult<T> end_with(const Received& r);
    template <class T>
    SessionResult<T> violation(std::string message);
    std::optional<SessionError> send_job(const JobRequest& request, Clock::time_point deadline, int cancel_fd);

    HostChannel channel_;
    bool ready_seen_ = false;
    bool job_sent_ = false;
};

}  // namespace ringfence::vm
