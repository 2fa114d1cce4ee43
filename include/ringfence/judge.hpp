// The judging pipeline's public face: what the HTTP service and
// `ringfence judge` call. No HTTP here; the service translates.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ringfence/error.hpp"
#include "ringfence/job.hpp"
#include "ringfence/launcher.hpp"
#include "ringfence/profile.hpp"
#include "ringfence/run_result.hpp"

namespace ringfence {

struct LanguageInfo {
    std::string id;            // "cpp17"
    std::string name;          // "C++ (GCC, C++17)"
    std::string version;       // read from the toolchain at start-up, "" when unavailable
    bool available = false;    // toolchain installed and its version command ran
    std::string unavailable_reason;
    bool compiled = false;
    std::string source_file;
    std::vector<int> judge0_ids;
    std::vector<std::string> judge0_names;
    std::string piston_language;
    std::vector<std::string> piston_aliases;
};

struct TestResult {
    int index = 0;
    Verdict verdict = Verdict::internal_error;
    std::string time_limit_kind;  // "cpu" or "wall" for time_limit_exceeded, else ""
    RunResult run;                // status, times, memory, exit code, signal, violation, stdout/stderr
    std::string checker_message;  // checker/interactor/comparator explanation
    // One line for people: "Runtime error: SIGSEGV", "Wrong answer: line 3: ...".
    std::string message;
};

struct JobResult {
    Verdict verdict = Verdict::internal_error;  // overall
    std::optional<RunResult> compile;           // absent for interpreted languages
    std::string compile_output;                 // compiler stdout+stderr, capped
    std::vector<TestResult> tests;
    std::string internal_error;                 // Verdict::internal_error: what went wrong (for operators)
    // One line for people about the overall verdict: the deciding test's message,
    // or why compilation failed ("Compilation error: the compiler exited with code 1").
    std::string message;
    std::string language_version;
    std::string tier = "process";
    std::uint64_t max_cpu_time_us = 0;
    std::uint64_t max_wall_time_us = 0;
    std::uint64_t max_memory_kib = 0;
};

// One record per sandbox the judge creates, for the audit log and metrics.
struct SandboxRecord {
    std::string purpose;     // "compile", "test", "checker", "interactor", "version"
    int test_index = -1;
    std::string language;
    Limits limits;
    RunResult result;
};

struct JudgeContext {
    std::string tenant = "local";
    std::string job_id;
    CancelToken* cancel = nullptr;
    std::function<void(const SandboxRecord&)> on_sandbox;  // called from worker threads
    // Progress, in completion order, from worker threads. With stop_on_first_failure
    // a test reported here may still end up `skipped` in the JobResult (every test
    // after the first failure in test order is, for a result independent of timing).
    std::function<void(const TestResult&)> on_test;
};

struct JudgeConfig {
    unsigned test_concurrency = 2;        // tests of one job run in parallel up to this
    std::uint64_t max_compile_output_bytes = 64 * 1024;
    std::uint64_t max_artifact_bytes = 256ull << 20;
    // Host directory for per-job working files (compile workdirs, artifacts).
    // Empty: <temp dir>/ringfence-judge-<uid>. Created 0711 when missing.
    std::filesystem::path work_dir;
    // Language ids to load; empty: every profile. Loading probes each toolchain
    // in a sandbox (JVMs take a while), so one-shot callers name what they need.
    std::vector<std::string> only_languages;
};

// Counters since the Judge was created (metrics; tests assert on them).
struct JudgeStats {
    std::uint64_t jobs = 0;
    std::uint64_t compile_sandboxes = 0;     // submission, checker and interactor compiles
    std::uint64_t test_sandboxes = 0;        // one per test run of a submission
    std::uint64_t checker_sandboxes = 0;
    std::uint64_t interactor_sandboxes = 0;
    std::uint64_t version_sandboxes = 0;     // start-up toolchain probes
};

class Judge {
public:
    static Result<std::unique_ptr<Judge>> create(JudgeConfig config, Launcher& launcher,
                                                 const ProfileStore& profiles);
    virtual ~Judge() = default;

    virtual const std::vector<LanguageInfo>& languages() const = 0;
    virtual const LanguageInfo* find_language(const std::string& id) const = 0;

    // Checks a job against the language profile (flags allowed, limits within maxima)
    // and fills defaults. Errors are ErrorKind::input naming the field.
    virtual Result<Job> normalize(Job job) const = 0;
    // Runs a normalized job to completion. Never throws.
    virtual JobResult run(const Job& job, const JudgeContext& context) = 0;

    virtual JudgeStats stats() const = 0;
};

// The native job JSON (server/judge/JOB_SCHEMA.md). Errors name the field by JSON path,
// e.g. "tests[2].stdin: expected a string".
Result<Job> parse_job_json(const std::string& text);
std::string to_json(const JobResult& result);
// to_string(Verdict) is declared in job.hpp.

}  // namespace ringfence
