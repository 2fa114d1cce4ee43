// How a job is executed, per isolation tier. The process tier wraps the
// judging pipeline (ringfence::Judge); the micro-VM tier (vm_executor.hpp)
// plugs in as a second executor. The service never knows how a tier isolates.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "judge/stream.hpp"
#include "ringfence/judge.hpp"

namespace ringfence::server {

// A finished job: the judge's result, and what only the tier knows (the VM
// tier: {"vm_accel": "kvm", "vm": {...}}), added to native results and the audit log.
struct ExecutedJob {
    JobResult result;
    nlohmann::json tier_details = nlohmann::json::object();
};

class JobExecutor {
public:
    virtual ~JobExecutor() = default;
    virtual std::string tier() const = 0;
    // The accelerator behind the tier, for metrics ("kvm", "tcg"); "" when none.
    virtual std::string accel() const { return ""; }
    virtual const std::vector<LanguageInfo>& languages() const = 0;
    virtual const LanguageInfo* find_language(const std::string& id) const = 0;
    virtual Result<Job> normalize(Job job) const = 0;
    // Blocks the calling worker thread until the job is finished. Never throws.
    virtual ExecutedJob run(const Job& job, const JudgeContext& context) = 0;
    virtual unsigned active_sandboxes() const = 0;

    // An interactive run (Piston's WebSocket): "" when this tier can, else why not.
    virtual std::string stream_unsupported() const = 0;
    // Blocks the calling thread until the program is gone. Never throws.
    virtual judge::StreamOutcome stream(const Job& job, const judge::StreamIo& io, const judge::StreamEvents& events,
                                        const JudgeContext& context) = 0;
};

// The process tier: namespaces, seccomp, cgroups, via the Launcher the Judge was built on.
class ProcessExecutor final : public JobExecutor {
public:
    ProcessExecutor(std::unique_ptr<Launcher> launcher, std::unique_ptr<Judge> judge);
    std::string tier() const override { return "process"; }
    const std::vector<LanguageInfo>& languages() const override { return judge_->languages(); }
    const LanguageInfo* find_language(const std::string& id) const override { return judge_->find_language(id); }
    Result<Job> normalize(Job job) const override { return judge_->normalize(std::move(job)); }
    ExecutedJob run(const Job& job, const JudgeContext& context) override;
    unsigned active_sandboxes() const override { return launcher_->active_sandboxes(); }
    std::string stream_unsupported() const override { return ""; }
    judge::StreamOutcome stream(const Job& job, const judge::StreamIo& io, const judge::StreamEvents& events,
                                const JudgeContext& context) override {
        return judge::run_stream(*judge_, job, io, events, context);
    }
    Launcher& launcher() { return *launcher_; }

private:
    std::unique_ptr<Launcher> launcher_;
    std::unique_ptr<Judge> judge_;
};

}  // namespace ringfence::server
