// The judge's side of run_stream (stream.hpp): what one interactive run needs
// from the pipeline, and the run itself.
#pragma once

#include <functional>

#include "compile.hpp"
#include "stream.hpp"

namespace ringfence::judge {

struct StreamPlan {
    const Job* job = nullptr;  // normalized
    Launcher* launcher = nullptr;
    CancelToken* cancel = nullptr;
    bool compiled = false;                    // the language has a compile step
    std::function<PrepareOutcome()> prepare;  // compiles (or lays out) the submission
    std::function<void(const Limits&, const RunResult&)> record_run;
};

StreamOutcome stream_program(const StreamPlan& plan, const StreamIo& io, const StreamEvents& events);

}  // namespace ringfence::judge
