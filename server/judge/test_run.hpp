// One test of a job: a fresh sandbox whose /box is a new tmpfs holding the
// read-only artifacts, then the verdict (comparison, checker or interactor).
#pragma once

#include <functional>

#include "compile.hpp"

namespace ringfence::judge {

// Called for every sandbox a test creates: purpose is "test", "checker" or "interactor".
using SandboxRecorder =
    std::function<void(const char* purpose, int test_index, const Language&, const Limits&, const RunResult&)>;

// Shared by every test of one job.
struct TestPlan {
    const Job* job = nullptr;
    const PreparedProgram* submission = nullptr;
    Limits run_limits;
    const PreparedProgram* checker = nullptr;     // CompareMode::checker
    Limits checker_limits;
    const PreparedProgram* interactor = nullptr;  // interactive job
    Limits interactor_limits;
    Launcher* launcher = nullptr;
    CancelToken* cancel = nullptr;
    SandboxRecorder record;
};

TestResult run_one_test(const TestPlan& plan, int index);

}  // namespace ringfence::judge
