#include "interactive.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "unique_fd.hpp"

namespace ringfence::judge {
namespace {

struct Pipe {
    UniqueFd read_end, write_end;
};

Result<Pipe> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return internal_error("pipe2", errno);
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

InteractiveOutcome internal(const std::string& message) {
    InteractiveOutcome outcome;
    outcome.verdict = RunVerdict{Verdict::internal_error, "", "Internal error: " + message};
    outcome.submission.status = RunStatus::setup_error;
    outcome.submission.error = message;
    return outcome;
}

}  // namespace

InteractiveOutcome run_interactive(const InteractiveRequest& r, Launcher& launcher) {
    auto to_interactor = make_pipe();  // submission stdout -> interactor stdin
    if (!to_interactor) return internal(to_interactor.error().describe());
    auto to_submission = make_pipe();  // interactor stdout -> submission stdin
    if (!to_submission) return internal(to_submission.error().describe());
    CancelToken stop_submission;
    if (stop_submission.fd() < 0) return internal("cannot create a cancel token");

    const Language& language = *r.submission->language;
    RunSpec submission;
    submission.argv = r.submission_argv;
    submission.env = r.submission->env;
    submission.limits = r.submission_limits;
    submission.profile = language.run_security;
    add_artifacts(*r.submission, submission);
    submission.network = r.network;
    submission.stdin_source = InputSource::from_fd(to_submission->read_end.get());
    submission.stdout_target = OutputTarget::raw(to_interactor->write_end.get());
    submission.stderr_target = OutputTarget::capture();

    const Language& helper = *r.interactor->language;
    RunSpec interactor;
    interactor.argv = run_argv(helper, r.interactor_limits.memory_kib, {kInputFile, kInteractorOutputFile, kAnswerFile});
    interactor.env = r.interactor->env;
    interactor.limits = r.interactor_limits;
    interactor.profile = helper.run_security;
    interactor.box_files = {{kInputFile, r.test->stdin_data}, {kAnswerFile, r.test->expected_output.value_or("")}};
    add_artifacts(*r.interactor, interactor);
    interactor.stdin_source = InputSource::from_fd(to_interactor->read_end.get());
    interactor.stdout_target = OutputTarget::raw(to_submission->write_end.get());
    interactor.stderr_target = OutputTarget::capture();

    InteractiveOutcome outcome;
    std::atomic<bool> submission_done{false};
    std::atomic<bool> stopped_by_us{false};
    // Each side, once finished, closes only its write end: the other side then
    // reads EOF. Read ends stay open until both are done, so a late write lands
    // in the pipe buffer instead of killing the writer with SIGPIPE.
    auto interactor_side = [&] {
        RunResult run = launcher.run(interactor, r.cancel);
        to_submission->write_end.reset();
        if (r.record_interactor) r.record_interactor(interactor.limits, run);
        outcome.interactor = read_helper_verdict(run, "interactor");
        bool job_cancelled = r.cancel && r.cancel->cancelled();
        if ((outcome.interactor.verdict != Verdict::accepted || job_cancelled) && !submission_done.load()) {
            stopped_by_us = true;
            stop_submission.cancel();
        }
    };
    std::thread interactor_thread;
    try {
        interactor_thread = std::thread(interactor_side);
    } catch (const std::system_error& e) {
        return internal(std::string("cannot start the interactor thread: ") + e.what());
    }
    outcome.submission = launcher.run(submission, &stop_submission);
    // Set before the interactor can see EOF: a verdict it reaches from here on
    // comes after the submission ended by itself.
    submission_done = true;
    to_interactor->write_end.reset();
    interactor_thread.join();
    if (r.record_submission) r.record_submission(submission.limits, outcome.submission);
    outcome.verdict = decide_interactive(outcome.submission, outcome.interactor, stopped_by_us.load());
    return outcome;
}

}  // namespace ringfence::judge
