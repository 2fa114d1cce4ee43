// Turns what the supervisor observed into one RunStatus. Pure, so every
// precedence rule is unit-tested.
#pragma once

#include <cstdint>
#include <string>

#include "ringfence/run_result.hpp"

namespace ringfence {

struct RunObservations {
    bool setup_failed = false;
    bool program_exited = false;  // init reported the program's end
    int wait_status = 0;          // meaningful when program_exited
    bool violation = false;       // seccomp notification received
    bool killed_for_cpu = false;
    bool killed_for_wall = false;
    bool killed_for_output = false;
    bool killed_for_cancel = false;
    std::uint64_t cpu_us = 0;
    std::uint64_t cpu_limit_us = 0;
    std::uint64_t oom_kills = 0;
    std::uint64_t pids_limit_hits = 0;
};

// Precedence, most specific cause first: setup error, security violation,
// memory limit (the OOM killer fired), then, for a run that did not end
// cleanly, process limit (a fork or thread creation was refused), CPU time
// (our kill, SIGXCPU, or usage at the limit), wall time, output limit, file
// size (SIGXFSZ), and finally the program's own signal or exit code.
RunStatus classify(const RunObservations& o);

// "SIGSEGV" for 11; "SIG42" for numbers without a name.
std::string signal_name(int signal);

}  // namespace ringfence
