// Who is to blame in an interactive test (rules in interactive.hpp).
#include "interactive.hpp"

namespace ringfence::judge {

RunVerdict decide_interactive(const RunResult& submission, const HelperOutcome& interactor,
                              bool submission_stopped_by_us) {
    if (interactor.run.status == RunStatus::setup_error)
        return {Verdict::internal_error, "", "Internal error: the interactor's sandbox could not be set up: " +
                                                 interactor.run.error};
    auto interactor_says = [&]() -> RunVerdict {
        switch (interactor.verdict) {
            case Verdict::accepted: return {Verdict::accepted, "", ""};
            case Verdict::wrong_answer: return {Verdict::wrong_answer, "", "Wrong answer: " + interactor.message};
            case Verdict::presentation_error:
                return {Verdict::presentation_error, "", "Presentation error: " + interactor.message};
            default: return {Verdict::internal_error, "", "Internal error: " + interactor.message};
        }
    };
    // Stopped by us, the submission's status only says how it was stopped; but
    // when the interactor failed too, a sandbox that never started is the cause.
    bool interactor_decided = interactor.verdict != Verdict::internal_error;
    if (submission.status == RunStatus::setup_error && !(submission_stopped_by_us && interactor_decided))
        return verdict_of_run(submission);
    if (submission_stopped_by_us) return interactor_says();
    switch (submission.status) {
        case RunStatus::setup_error:
        case RunStatus::time_limit:
        case RunStatus::wall_time_limit:
        case RunStatus::memory_limit:
        case RunStatus::output_limit:
        case RunStatus::file_size_limit:
        case RunStatus::process_limit:
        case RunStatus::security_violation: return verdict_of_run(submission);
        case RunStatus::ok:
        case RunStatus::nonzero_exit:
        case RunStatus::signaled: break;
    }
    RunVerdict verdict = interactor_says();
    if (verdict.verdict == Verdict::accepted && submission.status != RunStatus::ok) return verdict_of_run(submission);
    return verdict;
}

}  // namespace ringfence::judge
