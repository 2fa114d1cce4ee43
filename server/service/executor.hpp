// How a job is executed, per isolation tier. The process tier wraps the
// judging pipeline (ringfence::Judge); the micro-VM tier plugs in as a second
// executor. The service never knows how a tier isolates.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ringfence/judge.hpp"

namespace ringfence::server {

class JobExecutor {
public:
    virtual ~JobExecutor() = default;
    virtual std::string tier() const = 0;
    virtual const std::vector<LanguageInfo>& languages() const = 0;
    virtual const LanguageInfo* find_language(const std::string& id) const = 0;
    virtual Result<Job> normalize(Job job) const = 0;
    // Blocks the calling worker thread until the job is finished. Never throws.
    virtual JobResult run(const Job& job, const JudgeContext& context) = 0;
    virtual unsigned active_sandboxes() const = 0;
};

// The process tier: namespaces, seccomp, cgroups, via the Launcher the Judge was built on.
class ProcessExecutor final : public JobExecutor {
public:
    ProcessExecutor(std::unique_ptr<Launcher> launcher, std::unique_ptr<Judge> judge);
    std::string tier() const override { return "process"; }
    const std::vector<LanguageInfo>& languages() const override { return judge_->languages(); }
    const LanguageInfo* find_language(const std::string& id) const override { return judge_->find_language(id); }
    Result<Job> normalize(Job job) const override { return judge_->normalize(std::move(job)); }
    JobResult run(const Job& job, const JudgeContext& context) override;
    unsigned active_sandboxes() const override { return launcher_->active_sandboxes(); }
    Launcher& launcher() { return *launcher_; }

private:
    std::unique_ptr<Launcher> launcher_;
    std::unique_ptr<Judge> judge_;
};

}  // namespace ringfence::server
