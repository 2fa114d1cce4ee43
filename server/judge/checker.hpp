// A custom checker: a program of the problem's author, compiled like any
// submission and run sandboxed as `checker input.txt output.txt answer.txt`
// (testlib's order: test input, the submission's output, the expected answer)
// with the three files in its /box. Exit codes follow testlib: 0 accepted,
// 1 wrong answer, 2 presentation error, 3 the checker itself failed. Anything
// else (another code, a crash, a limit) is the checker's failure too: an
// internal error, never the submission's fault.
#pragma once

#include <string>

#include "compile.hpp"
#include "names.hpp"

namespace ringfence::judge {

struct HelperOutcome {
    Verdict verdict = Verdict::internal_error;
    std::string message;  // the helper's stderr, else its stdout, trimmed and capped
    RunResult run;
};

// The verdict a testlib-style helper's run stands for (shared with the interactor).
HelperOutcome read_helper_verdict(const RunResult& run, const char* role);

HelperOutcome run_checker(const PreparedProgram& checker, const Limits& limits, const std::string& input,
                          const std::string& output, const std::string& answer, Launcher& launcher,
                          CancelToken* cancel, const std::function<void(const Limits&, const RunResult&)>& record);

}  // namespace ringfence::judge
