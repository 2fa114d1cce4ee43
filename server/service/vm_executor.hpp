// The micro-VM tier as the service's "vm" executor: every job in a VM of its
// own (sandbox/vm/host/tier.hpp). The guest runs the same judge and profiles,
// so languages and normalization are the process tier's, limited to the
// languages the VM image holds.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <set>

#include "executor.hpp"
#include "host/tier.hpp"

namespace ringfence::server {

class VmExecutor final : public JobExecutor {
public:
    using Log = std::function<void(const std::string&)>;
    // Starts the tier (refused without KVM unless config.allow_tcg); `process`
    // must outlive the executor.
    static Result<std::unique_ptr<VmExecutor>> create(vm::VmConfig config, const JobExecutor& process, Log log);

    std::string tier() const override { return "vm"; }
    std::string accel() const override;
    const std::vector<LanguageInfo>& languages() const override { return languages_; }
    const LanguageInfo* find_language(const std::string& id) const override;
    Result<Job> normalize(Job job) const override;
    ExecutedJob run(const Job& job, const JudgeContext& context) override;
    unsigned active_sandboxes() const override { return active_; }
    std::string stream_unsupported() const override;
    judge::StreamOutcome stream(const Job& job, const judge::StreamIo& io, const judge::StreamEvents& events,
                                const JudgeContext& context) override;

private:
    VmExecutor(std::unique_ptr<vm::VmTier> tier, const JobExecutor& process, std::set<std::string> image_languages);
    Result<void> check_in_image(const std::string& language, const std::string& field) const;

    std::unique_ptr<vm::VmTier> tier_;
    const JobExecutor& process_;
    std::set<std::string> image_languages_;
    std::vector<LanguageInfo> languages_;
    std::atomic<unsigned> active_{0};
};

}  // namespace ringfence::server
