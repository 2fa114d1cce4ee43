#include "executor.hpp"

namespace ringfence::server {

ProcessExecutor::ProcessExecutor(std::unique_ptr<Launcher> launcher, std::unique_ptr<Judge> judge)
    : launcher_(std::move(launcher)), judge_(std::move(judge)) {}

ExecutedJob ProcessExecutor::run(const Job& job, const JudgeContext& context) {
    ExecutedJob done{judge_->run(job, context)};
    done.result.tier = tier();
    return done;
}

}  // namespace ringfence::server
