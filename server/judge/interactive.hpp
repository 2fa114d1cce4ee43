// Interactive problems: the submission and the interactor run at the same time
// in two sandboxes, each one's stdout piped into the other's stdin. The
// interactor (testlib style: `interactor input.txt tout.txt answer.txt`, test
// input and expected answer in its /box) decides with its exit code: 0
// accepted, 1 wrong answer, 2 presentation error, 3 failure.
//
// Who is to blame when things go wrong (JOB_SCHEMA.md, "Interactive"):
//  - a setup error on either side: internal error;
//  - the submission hit a limit (CPU, wall, memory, processes) or made a
//    blocked call: that verdict. A deadlock (both waiting to read) ends when
//    the submission's wall time runs out: TLE (wall). The interactor's wall
//    limit is the submission's plus a margin, so the submission's comes first;
//  - otherwise the interactor's verdict, except that a submission that crashed
//    or exited non-zero while the interactor accepted gets runtime error;
//  - an interactor that crashed, hit a limit or exited 3 or another code:
//    internal error (the problem's fault, not the submission's).
// When the interactor finishes first with anything but "accepted", the
// submission is stopped: it cannot change the outcome any more.
#pragma once

#include <functional>
#include <string>

#include "checker.hpp"
#include "compile.hpp"

namespace ringfence::judge {

// Margin the interactor's wall limit has over the submission's.
inline constexpr std::uint64_t kInteractorWallMarginMs = 1000;

struct InteractiveRequest {
    const PreparedProgram* submission = nullptr;
    std::vector<std::string> submission_argv;
    Limits submission_limits;
    bool network = false;
    const PreparedProgram* interactor = nullptr;
    Limits interactor_limits;
    const TestCase* test = nullptr;
    CancelToken* cancel = nullptr;  // the job's
    std::function<void(const Limits&, const RunResult&)> record_submission;
    std::function<void(const Limits&, const RunResult&)> record_interactor;
};

struct InteractiveOutcome {
    RunVerdict verdict;
    RunResult submission;
    HelperOutcome interactor;
};

InteractiveOutcome run_interactive(const InteractiveRequest& request, Launcher& launcher);

// The decision rules above, on two finished runs (pure: unit-tested).
RunVerdict decide_interactive(const RunResult& submission, const HelperOutcome& interactor,
                              bool submission_stopped_by_us);

}  // namespace ringfence::judge
