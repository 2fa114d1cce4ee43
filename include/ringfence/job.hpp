// A judging job: compile once, run every test in a fresh sandbox, compare.
// One schema shared by `ringfence judge JOB.json` and the HTTP service
// (documented in server/judge/JOB_SCHEMA.md). Units are in the field names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ringfence/error.hpp"

namespace ringfence {

struct SourceFile {
    std::string name;     // relative path inside /box, no "..", no leading "/"
    std::string content;  // decoded bytes
};

// Limits as a job states them; unset fields take the language profile's defaults.
// A value above the profile's maximum is refused by Judge::normalize (an input
// error naming the field), never silently lowered; tenant ceilings are the
// service's to apply before that.
struct JobLimits {
    std::optional<std::uint64_t> cpu_time_ms;
    std::optional<std::uint64_t> wall_time_ms;
    std::optional<std::uint64_t> memory_kib;
    std::optional<std::uint32_t> processes;
    std::optional<std::uint64_t> output_bytes;
    std::optional<std::uint64_t> file_size_bytes;
};

enum class CompareMode { exact, lines, tokens, floats, checker };

struct CompareOptions {
    CompareMode mode = CompareMode::lines;
    // floats (Kattis default validator semantics)
    std::optional<double> float_absolute_tolerance;
    std::optional<double> float_relative_tolerance;
    bool case_sensitive = true;
    bool space_change_sensitive = false;
};

struct TestCase {
    std::string stdin_data;
    std::optional<std::string> expected_output;  // none: any output is accepted
    std::vector<std::string> args;               // appended to the job's args
};

// A helper program (checker or interactor), compiled like a submission.
struct HelperProgram {
    std::string language;
    std::vector<SourceFile> sources;
};

struct Job {
    std::string language;                     // profile id, e.g. "cpp17"
    std::vector<std::string> compiler_flags;  // each must be on the profile's allowed list
    std::vector<SourceFile> sources;
    std::vector<SourceFile> files;            // extra files visible to every run
    std::vector<TestCase> tests;
    std::vector<std::string> args;
    JobLimits compile_limits;
    JobLimits run_limits;
    CompareOptions compare;
    std::optional<HelperProgram> checker;     // CompareMode::checker
    std::optional<HelperProgram> interactor;  // interactive problem
    bool stop_on_first_failure = false;
    std::string isolation = "process";        // "process" or "vm"
    bool network = false;
};

enum class Verdict {
    accepted,
    wrong_answer,
    presentation_error,
    time_limit_exceeded,
    memory_limit_exceeded,
    output_limit_exceeded,
    runtime_error,
    compilation_error,
    security_violation,
    internal_error,
    skipped,  // not run because of stop_on_first_failure
};

const char* to_string(Verdict verdict) noexcept;
// The inverse of to_string(Verdict): "wrong_answer" -> Verdict::wrong_answer.
std::optional<Verdict> verdict_from_string(const std::string& text) noexcept;

}  // namespace ringfence
