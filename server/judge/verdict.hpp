// From what the sandbox reports (RunResult) to what the user is told (Verdict).
// The sandbox's own failures (setup_error) are never blamed on the program.
#pragma once

#include <string>
#include <vector>

#include "ringfence/judge.hpp"

namespace ringfence::judge {

struct RunVerdict {
    Verdict verdict = Verdict::internal_error;
    std::string time_limit_kind;  // "cpu" / "wall" for time_limit_exceeded
    std::string message;          // one line for people; empty for a clean run
};

// A submission's test run before any comparison: `accepted` means it ran
// cleanly (exit 0, no limit hit) and its output is to be compared next.
RunVerdict verdict_of_run(const RunResult& run);

// The verdict of a compile run that did not succeed. Limits and a non-zero
// exit are the submission's compile errors; a blocked system call is a
// security violation; a setup error is ours.
RunVerdict verdict_of_failed_compile(const RunResult& run);

// "SIGSEGV" from the result, or from the number when the launcher gave no name.
std::string signal_name_of(const RunResult& run);

// The first test, in test order, that is neither accepted nor skipped decides;
// accepted when there is none.
Verdict overall_verdict(const std::vector<TestResult>& tests);

// Folds a test's figures into the job's maxima.
void add_to_maxima(JobResult& job, const RunResult& run);

}  // namespace ringfence::judge
