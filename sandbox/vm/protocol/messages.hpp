// The JSON messages carried in frames, and their codecs. Both ends use the
// same code: whatever decodes strictly here is exactly what the other side
// could have encoded. Binary data travels base64-encoded.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ringfence/error.hpp"
#include "ringfence/job.hpp"
#include "ringfence/judge.hpp"
#include "ringfence/limits.hpp"
#include "ringfence/run_result.hpp"
#include "ringfence/run_spec.hpp"

namespace ringfence::vm {

// Sent once by the agent when it is ready for its job: the host logs it, and
// tests use it to prove the job ran under the guest's kernel, not the host's.
struct ReadyInfo {
    std::string agent_version;
    std::string kernel_release;  // uname -r inside the guest
    std::string boot_id;         // /proc/sys/kernel/random/boot_id inside the guest
    std::string cmdline;         // /proc/cmdline inside the guest
    std::uint64_t uptime_ms = 0;  // guest CLOCK_BOOTTIME when ready
    std::uint64_t agent_ms = 0;   // agent start -> ready (modules, mounts, port)
    std::vector<std::string> net_interfaces;  // /sys/class/net in the guest: "lo" only
};

// A `ringfence run` job: a RunSpec without its host-only parts (host paths,
// fds). The security profile is named and resolved inside the guest.
struct RunRequest {
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string cwd = "/box";
    Limits limits;
    std::string profile = "default";
    bool network = false;
    std::string stdin_data;
    std::vector<BoxFile> box_files;
    bool stream_output = true;  // stdout/stderr frames as they come; else kept in the result
};

enum class JobKind { run, judge };

struct JobRequest {
    JobKind kind = JobKind::run;
    std::string entropy;  // fresh random bytes from the host, mixed into the guest's pool
    RunRequest run;       // kind == run
    Job judge;            // kind == judge
};

// The agent could not run the job at all (the job was invalid, or the guest broke).
struct AgentFailure {
    ErrorKind kind = ErrorKind::internal;
    std::string message;
};

// Caps on decoded messages; the frame limits bound the total size already.
inline constexpr std::size_t kMaxArgs = 4096;
inline constexpr std::size_t kMaxArgBytes = 128 * 1024;
inline constexpr std::size_t kMaxFiles = 4096;
inline constexpr std::size_t kMaxTests = 10000;
inline constexpr std::size_t kMaxTextField = 64 * 1024;
inline constexpr std::size_t kMaxDataBytes = 192u << 20;

std::string encode_ready(const ReadyInfo& info);
Result<ReadyInfo> decode_ready(std::string_view payload);

std::string encode_failure(const AgentFailure& failure);
Result<AgentFailure> decode_failure(std::string_view payload);

std::string encode_job(const JobRequest& request);
Result<JobRequest> decode_job(std::string_view payload);

std::string encode_run_result(const RunResult& result);
Result<RunResult> decode_run_result(std::string_view payload);

std::string encode_job_result(const JobResult& result);
Result<JobResult> decode_job_result(std::string_view payload);

}  // namespace ringfence::vm
