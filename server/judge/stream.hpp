// An interactive run (Piston's WebSocket stream): compile a job's program as
// the pipeline does, then run it once with stdin, stdout and stderr on
// descriptors the caller pumps while the program runs. No comparison: the
// verdict only says how the program ended.
#pragma once

#include <functional>
#include <string>

#include "ringfence/judge.hpp"

namespace ringfence::judge {

struct StreamIo {
    int stdin_fd = -1;   // the program reads it (borrowed; a pipe's read end)
    int stdout_fd = -1;  // the program's output is copied here as it comes, cut at the
    int stderr_fd = -1;  // output limit (borrowed; pipes' write ends, drained by the caller)
};

struct StreamEvents {
    std::function<void(const char* stage)> started;  // "compile" (compiled languages only), "run"
    // The compile stage's output is captured in its result; the run's went to the descriptors.
    std::function<void(const char* stage, const RunResult&)> finished;
};

struct StreamOutcome {
    // accepted: ran and exited 0; compilation_error; runtime_error, time_limit_exceeded, ...;
    // internal_error: ours (message says why).
    Verdict verdict = Verdict::internal_error;
    std::string message;
};

// Implemented by the Judge that Judge::create makes.
class StreamingJudge {
public:
    virtual ~StreamingJudge() = default;
    virtual StreamOutcome stream(const Job& job, const StreamIo& io, const StreamEvents& events,
                                 const JudgeContext& context) = 0;
};

// `job` as for Judge::run (its tests are ignored: stdin comes from io.stdin_fd).
// Blocks until the program is gone. Never throws.
StreamOutcome run_stream(Judge& judge, const Job& job, const StreamIo& io, const StreamEvents& events,
                         const JudgeContext& context);

}  // namespace ringfence::judge
