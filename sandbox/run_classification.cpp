#include "run_classification.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstring>

namespace ringfence {

RunStatus classify(const RunObservations& o) {
    if (o.setup_failed) return RunStatus::setup_error;
    if (o.violation) return RunStatus::security_violation;
    if (o.oom_kills > 0) return RunStatus::memory_limit;
    const bool clean_exit = o.program_exited && WIFEXITED(o.wait_status) && WEXITSTATUS(o.wait_status) == 0 &&
                            !o.killed_for_cpu && !o.killed_for_wall && !o.killed_for_output;
    if (clean_exit) return RunStatus::ok;
    if (o.pids_limit_hits > 0 && !o.killed_for_cancel) return RunStatus::process_limit;
    const bool signaled = o.program_exited && WIFSIGNALED(o.wait_status);
    const int sig = signaled ? WTERMSIG(o.wait_status) : 0;
    if (o.killed_for_cpu || sig == SIGXCPU || (o.cpu_limit_us > 0 && o.cpu_us >= o.cpu_limit_us))
        return RunStatus::time_limit;
    if (o.killed_for_wall) return RunStatus::wall_time_limit;
    if (o.killed_for_output) return RunStatus::output_limit;
    if (sig == SIGXFSZ) return RunStatus::file_size_limit;
    if (o.killed_for_cancel) return RunStatus::setup_error;
    if (signaled) return RunStatus::signaled;
    if (!o.program_exited) return RunStatus::setup_error;  // init vanished without a report
    return RunStatus::nonzero_exit;
}

std::string signal_name(int signal) {
    if (signal <= 0) return {};
    const char* abbrev = sigabbrev_np(signal);
    if (abbrev) return std::string("SIG") + abbrev;
    return "SIG" + std::to_string(signal);
}

}  // namespace ringfence
