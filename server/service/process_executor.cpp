#include "executor.hpp"

namespace ringfence::server {

ProcessExecutor::ProcessExecutor(std::unique_ptr<Launcher> launcher, std::unique_ptr<Judge> judge)
    : launcher_(std::move(launcher)), judge_(std::move(judge)) {}

JobResult ProcessExecutor::run(const Job& job, const JudgeContext& context) {
    JobResult result = judge_->run(job, context);
    result.tier = tier();
    return result;
}

}  // namespace ringfence::server
