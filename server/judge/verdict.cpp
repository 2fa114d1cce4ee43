#include "verdict.hpp"

#include <string.h>

#include <algorithm>

namespace ringfence::judge {
namespace {

std::string ms(std::uint64_t us) { return std::to_string(us / 1000) + " ms"; }

}  // namespace

std::string signal_name_of(const RunResult& run) {
    if (!run.signal_name.empty()) return run.signal_name;
    if (const char* abbrev = sigabbrev_np(run.signal)) return std::string("SIG") + abbrev;
    return "signal " + std::to_string(run.signal);
}

RunVerdict verdict_of_run(const RunResult& run) {
    switch (run.status) {
        case RunStatus::ok: return {Verdict::accepted, "", ""};
        case RunStatus::nonzero_exit:
            return {Verdict::runtime_error, "", "Runtime error: exit code " + std::to_string(run.exit_code)};
        case RunStatus::signaled:
            return {Verdict::runtime_error, "",
                    "Runtime error: killed by " + signal_name_of(run) + " (signal " +
                        std::to_string(run.signal) + ")"};
        case RunStatus::time_limit:
            return {Verdict::time_limit_exceeded, "cpu",
                    "Time limit exceeded: CPU time " + ms(run.cpu_time_us)};
        case RunStatus::wall_time_limit:
            return {Verdict::time_limit_exceeded, "wall",
                    "Time limit exceeded: wall time " + ms(run.wall_time_us) +
                        " (CPU time " + ms(run.cpu_time_us) + "; sleeping or waiting for input)"};
        case RunStatus::memory_limit:
            return {Verdict::memory_limit_exceeded, "",
                    "Memory limit exceeded: peak " + std::to_string(run.memory_kib) + " KiB"};
        case RunStatus::output_limit:
            return {Verdict::output_limit_exceeded, "",
                    "Output limit exceeded: " + std::to_string(std::max(run.stdout_bytes, run.stderr_bytes)) +
                        " bytes or more on one stream"};
        case RunStatus::file_size_limit:
            return {Verdict::output_limit_exceeded, "", "Output limit exceeded: a file the program wrote grew too large"};
        case RunStatus::process_limit:
            return {Verdict::runtime_error, "", "Runtime error: too many processes or threads"};
        case RunStatus::security_violation:
            return {Verdict::security_violation, "",
                    "Security violation: blocked system call " + run.violation.value_or("(unknown)")};
        case RunStatus::setup_error: break;
    }
    return {Verdict::internal_error, "", "Internal error: the sandbox could not be set up: " + run.error};
}

RunVerdict verdict_of_failed_compile(const RunResult& run) {
    std::string why;
    switch (run.status) {
        case RunStatus::ok: return {Verdict::accepted, "", ""};
        case RunStatus::setup_error:
            return {Verdict::internal_error, "", "Internal error: the compile sandbox could not be set up: " + run.error};
        case RunStatus::nonzero_exit: why = "the compiler exited with code " + std::to_string(run.exit_code); break;
        case RunStatus::signaled: why = "the compiler was killed by " + signal_name_of(run); break;
        case RunStatus::time_limit: why = "compilation CPU time limit exceeded (" + ms(run.cpu_time_us) + ")"; break;
        case RunStatus::wall_time_limit: why = "compilation wall time limit exceeded (" + ms(run.wall_time_us) + ")"; break;
        case RunStatus::memory_limit: why = "compilation memory limit exceeded (" + std::to_string(run.memory_kib) + " KiB)"; break;
        case RunStatus::output_limit: why = "the compiler's output exceeded its limit"; break;
        case RunStatus::file_size_limit: why = "a file written during compilation exceeded the file size limit"; break;
        case RunStatus::process_limit: why = "compilation exceeded the process limit"; break;
        case RunStatus::security_violation:
            // Its own verdict, as in a test run: compilers can run the user's code
            // (Template Haskell, build scripts), and a toolchain can also need a call
            // its profile lacks; the syscall's name tells which.
            return {Verdict::security_violation, "",
                    "Security violation during compilation: blocked system call " +
                        run.violation.value_or("(unknown)")};
    }
    return {Verdict::compilation_error, "", "Compilation error: " + why};
}

Verdict overall_verdict(const std::vector<TestResult>& tests) {
    for (const auto& test : tests)
        if (test.verdict != Verdict::accepted && test.verdict != Verdict::skipped) return test.verdict;
    return Verdict::accepted;
}

void add_to_maxima(JobResult& job, const RunResult& run) {
    job.max_cpu_time_us = std::max(job.max_cpu_time_us, run.cpu_time_us);
    job.max_wall_time_us = std::max(job.max_wall_time_us, run.wall_time_us);
    job.max_memory_kib = std::max(job.max_memory_kib, run.memory_kib);
}

}  // namespace ringfence::judge
