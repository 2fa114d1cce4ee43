#include "vm_executor.hpp"

#include <fstream>
#include <sstream>

#include "judge/language_profile.hpp"
#include "host/kvm.hpp"
#include "host/manifest.hpp"

namespace ringfence::server {
namespace {

Result<std::set<std::string>> image_languages(const vm::VmConfig& config) {
    const auto path = config.resolved_image_dir() / vm::kManifestName;
    std::ifstream in(path);
    if (!in) return setup_error("VM tier: cannot read " + path.string());
    std::stringstream text;
    text << in.rdbuf();
    auto manifest = vm::parse_manifest(text.str());
    if (!manifest) return std::move(manifest).error();
    return std::set<std::string>(manifest->languages.begin(), manifest->languages.end());
}

// The guest's sandboxes, as the audit log records the host's.
void record_guest_sandboxes(const Job& job, const JobResult& result, const JudgeContext& context) {
    if (!context.on_sandbox) return;
    SandboxRecord record;
    record.language = job.language;
    if (result.compile) {
        record.purpose = "compile";
        record.limits = judge::to_limits(job.compile_limits);
        record.result = *result.compile;
        context.on_sandbox(record);
    }
    record.purpose = "test";
    record.limits = judge::to_limits(job.run_limits);
    for (const auto& test : result.tests) {
        if (test.verdict == Verdict::skipped) continue;
        record.test_index = test.index;
        record.result = test.run;
        context.on_sandbox(record);
    }
}

}  // namespace

Result<std::unique_ptr<VmExecutor>> VmExecutor::create(vm::VmConfig config, const JobExecutor& process, Log log) {
    auto tier = vm::VmTier::create(std::move(config), std::move(log));
    if (!tier) return std::move(tier).error();
    auto languages = image_languages(tier.value()->config());
    if (!languages) return std::move(languages).error();
    return std::unique_ptr<VmExecutor>(new VmExecutor(std::move(tier.value()), process, std::move(languages.value())));
}

VmExecutor::VmExecutor(std::unique_ptr<vm::VmTier> tier, const JobExecutor& process, std::set<std::string> image_languages)
    : tier_(std::move(tier)), process_(process), image_languages_(std::move(image_languages)) {
    for (const auto& language : process_.languages())
        if (image_languages_.count(language.id)) languages_.push_back(language);
}

std::string VmExecutor::accel() const { return vm::to_string(tier_->accel()); }

const LanguageInfo* VmExecutor::find_language(const std::string& id) const {
    for (const auto& language : languages_)
        if (language.id == id) return &language;
    return nullptr;
}

Result<void> VmExecutor::check_in_image(const std::string& language, const std::string& field) const {
    if (image_languages_.count(language)) return {};
    std::string held;
    for (const auto& id : image_languages_) held += (held.empty() ? "" : ", ") + id;
    return input_error(field + ": \"" + language + "\" is not in the VM image (it holds " + held +
                       "; `ringfence vm-image build --languages` adds more)");
}

Result<Job> VmExecutor::normalize(Job job) const {
    if (auto r = check_in_image(job.language, "language"); !r) return r.error();
    if (job.checker)
        if (auto r = check_in_image(job.checker->language, "checker.language"); !r) return r.error();
    if (job.interactor)
        if (auto r = check_in_image(job.interactor->language, "interactor.language"); !r) return r.error();
    // The VM is the isolation asked for; inside it, the guest's judge runs the
    // job in its process tier (the only one the judge itself offers).
    job.isolation = "process";
    return process_.normalize(std::move(job));
}

ExecutedJob VmExecutor::run(const Job& job, const JudgeContext& context) {
    ++active_;
    auto judged = tier_->judge(job, context.cancel);
    --active_;
    ExecutedJob done;
    done.tier_details = {{"vm_accel", accel()}};
    if (!judged) {
        // The host normalized the job with the same profiles: a refusal inside is ours.
        done.result.verdict = Verdict::internal_error;
        done.result.internal_error = "the VM's judge refused the job: " + judged.error().message;
        done.result.message = "Internal error";
        done.result.tier = tier();
        return done;
    }
    done.result = judged->result;
    done.result.tier = tier();
    auto doc = nlohmann::json::parse(vm::to_json(judged.value()), nullptr, false);
    if (doc.is_object() && doc.contains("vm")) done.tier_details["vm"] = doc["vm"];
    record_guest_sandboxes(job, done.result, context);
    return done;
}

std::string VmExecutor::stream_unsupported() const {
    return "interactive streams are not available in the VM tier (the guest takes a program's stdin whole, "
           "before it starts)";
}

judge::StreamOutcome VmExecutor::stream(const Job&, const judge::StreamIo&, const judge::StreamEvents&,
                                        const JudgeContext&) {
    return {Verdict::internal_error, stream_unsupported()};
}

}  // namespace ringfence::server
