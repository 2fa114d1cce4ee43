// What the agent does with its one job: the same launcher (and judge) as
// the host's process tier, inside the VM, so the job is confined twice:
// namespaces, seccomp, Landlock and cgroups in the guest, the VM around it.
#pragma once

#include <memory>
#include <optional>
#include <thread>

#include "agent_channel.hpp"
#include "protocol/messages.hpp"
#include "ringfence/judge.hpp"
#include "ringfence/launcher.hpp"
#include "ringfence/profile.hpp"

namespace ringfence::vm::guest {

class JobRunner {
public:
    // Sets up the launcher (cgroups, uid pool, a sandbox prepared ahead):
    // done before `ready`, so a pooled VM has it behind it when its job comes.
    static Result<std::unique_ptr<JobRunner>> create();
    // Sets up the judge in the background: it probes every toolchain for its
    // version (several sandboxes), which only judge jobs need, so `ready`
    // does not wait for it. A judge job waits for it instead.
    void start_judge();
    ~JobRunner();

    // Runs the job and sends its frames: output (run jobs that stream), then
    // `result`, or `failure` when the job cannot run at all.
    void handle(AgentChannel& channel, const JobRequest& request);

private:
    JobRunner() = default;
    void run(AgentChannel& channel, const RunRequest& request);
    void judge(AgentChannel& channel, const Job& job);

    std::unique_ptr<Launcher> launcher_;
    ProfileStore profiles_;
    std::unique_ptr<Judge> judge_;
    std::optional<Error> judge_error_;
    std::thread judge_setup_;
};

// Mixes host-provided bytes into the guest's entropy pool (fresh per job,
// whatever state the VM was booted or restored from).
void add_host_entropy(const std::string& bytes);

}  // namespace ringfence::vm::guest
