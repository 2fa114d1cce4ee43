// The outcome of one sandboxed run, with the figures and how they were measured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ringfence {

enum class RunStatus {
    ok,
    nonzero_exit,
    signaled,
    time_limit,
    wall_time_limit,
    memory_limit,
    output_limit,
    file_size_limit,
    process_limit,
    security_violation,
    setup_error,
};

const char* to_string(RunStatus status) noexcept;
std::optional<RunStatus> run_status_from_string(const std::string& text) noexcept;

// Time spent in each phase of building and running the sandbox, in microseconds.
struct PhaseTimings {
    std::uint64_t prepare_us = 0;  // namespaces, mounts, cgroup (0 when taken from the pool)
    std::uint64_t start_us = 0;    // request sent -> program about to execve, which splits into:
    std::uint64_t handover_us = 0; //   request sent -> the sandbox's init has it
    std::uint64_t spawn_us = 0;    //   -> the program's (already confined) process has it: run-time binds
    std::uint64_t confine_us = 0;  //   -> stdio, cwd, rlimits and Landlock in place, execve called
    std::uint64_t run_us = 0;      // exec -> last process gone
    std::uint64_t teardown_us = 0;
    bool from_pool = false;
};

struct RunResult {
    RunStatus status = RunStatus::setup_error;
    int exit_code = 0;
    int signal = 0;
    std::string signal_name;
    std::uint64_t cpu_time_us = 0;
    std::uint64_t wall_time_us = 0;
    std::uint64_t memory_kib = 0;        // peak of the whole run
    std::optional<std::string> violation;  // blocked syscall, e.g. "ptrace"
    bool stdout_truncated = false;
    bool stderr_truncated = false;
    std::uint64_t stdout_bytes = 0;      // produced, before the cut
    std::uint64_t stderr_bytes = 0;
    std::string measured_by;             // "cgroup-v2", "cgroup-v1", "rusage"
    std::string stdout_data;             // OutputTarget::capture only
    std::string stderr_data;
    std::string error;                   // setup_error: what failed, for humans
    std::string tier = "process";        // "process" or "vm"
    std::uint32_t host_uid = 0;          // host uid the program ran as (audit)
    PhaseTimings phases;

    std::uint64_t cpu_time_ms() const { return cpu_time_us / 1000; }
    std::uint64_t wall_time_ms() const { return wall_time_us / 1000; }
};

// The documented result JSON (see README "Result JSON").
std::string to_json(const RunResult& result, bool include_data = false);

// Writes a result's JSON (and a newline) to `path`, or to stdout for "-", as
// `--result` does. False when the file could not be written.
bool write_result_json(const std::string& path, const std::string& json);

}  // namespace ringfence
