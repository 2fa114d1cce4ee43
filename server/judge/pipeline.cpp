// The Judge: languages loaded once; per job, compile once, run the tests in
// parallel (each in a fresh sandbox), decide the verdicts.
#include <algorithm>
#include <atomic>
#include <climits>
#include <mutex>
#include <system_error>
#include <thread>

#include "compile.hpp"
#include "languages.hpp"
#include "normalize.hpp"
#include "stream_program.hpp"
#include "test_run.hpp"
#include "verdict.hpp"
#include "workspace.hpp"

namespace ringfence {
namespace {

using namespace judge;

struct Counters {
    std::atomic<std::uint64_t> jobs{0}, compiles{0}, tests{0}, checkers{0}, interactors{0}, versions{0};
};

class JudgeImpl final : public Judge, public StreamingJudge {
public:
    JudgeImpl(JudgeConfig config, Launcher& launcher, InstanceDir instance)
        : config_(std::move(config)), launcher_(launcher), instance_(std::move(instance)) {}

    Result<void> load(const ProfileStore& profiles) {
        LanguageLoadOptions options;
        options.concurrency = std::max(1u, config_.test_concurrency);
        options.only = config_.only_languages;
        options.on_probe = [this](const Language&, const Limits&, const RunResult&) { ++counters_.versions; };
        auto loaded = load_languages(profiles, launcher_, options);
        if (!loaded) return std::move(loaded).error();
        languages_ = std::move(*loaded);
        for (const auto& language : languages_) infos_.push_back(language->info);
        return {};
    }

    const std::vector<LanguageInfo>& languages() const override { return infos_; }

    const LanguageInfo* find_language(const std::string& id) const override {
        const Language* language = find(id);
        return language ? &language->info : nullptr;
    }

    Result<Job> normalize(Job job) const override {
        return normalize_job(std::move(job), [this](const std::string& id) { return find(id); });
    }

    JobResult run(const Job& job, const JudgeContext& context) override {
        ++counters_.jobs;
        try {
            return run_job(job, context);
        } catch (const std::exception& e) {
            // Only allocation or thread creation can throw here; never let it out.
            JobResult result;
            result.verdict = Verdict::internal_error;
            result.internal_error = std::string("unexpected failure: ") + e.what();
            result.message = "Internal error";
            return result;
        }
    }

    StreamOutcome stream(const Job& raw_job, const StreamIo& io, const StreamEvents& events,
                         const JudgeContext& context) override {
        ++counters_.jobs;
        try {
            auto job = normalize(raw_job);
            if (!job) return {Verdict::internal_error, "Internal error: the job was not valid: " + job.error().message};
            const Language& language = *find(job->language);
            auto job_dir = TempDir::create(instance_.dir.path(), "stream-", 0711);
            if (!job_dir) return {Verdict::internal_error, "Internal error: job directory: " + job_dir.error().describe()};
            prewarm(language, job->network, to_limits(job->run_limits));
            StreamPlan plan;
            plan.job = &*job;
            plan.launcher = &launcher_;
            plan.cancel = context.cancel;
            plan.compiled = language.profile.compile.has_value();
            plan.prepare = [&] {
                return prepare("submission", language, job->sources, job->files, job->compiler_flags,
                               to_limits(job->compile_limits), job_dir->path(), context);
            };
            plan.record_run = [&](const Limits& limits, const RunResult& r) {
                record(context, "test", 0, language, limits, r);
            };
            return stream_program(plan, io, events);
        } catch (const std::exception& e) {
            return {Verdict::internal_error, std::string("Internal error: unexpected failure: ") + e.what()};
        }
    }

    JudgeStats stats() const override {
        JudgeStats s;
        s.jobs = counters_.jobs;
        s.compile_sandboxes = counters_.compiles;
        s.test_sandboxes = counters_.tests;
        s.checker_sandboxes = counters_.checkers;
        s.interactor_sandboxes = counters_.interactors;
        s.version_sandboxes = counters_.versions;
        return s;
    }

private:
    const Language* find(const std::string& id) const {
        for (const auto& language : languages_)
            if (language->info.id == id) return language.get();
        return nullptr;
    }

    void record(const JudgeContext& context, const char* purpose, int index, const Language& language,
                const Limits& limits, const RunResult& result) {
        std::string_view what = purpose;
        if (what == "compile") ++counters_.compiles;
        else if (what == "test") ++counters_.tests;
        else if (what == "checker") ++counters_.checkers;
        else if (what == "interactor") ++counters_.interactors;
        if (!context.on_sandbox) return;
        SandboxRecord entry;
        entry.purpose = purpose;
        entry.test_index = index;
        entry.language = language.info.id;
        entry.limits = limits;
        entry.result = result;
        context.on_sandbox(entry);
    }

    static JobResult failed(Verdict verdict, const std::string& message, const std::string& internal) {
        JobResult result;
        result.verdict = verdict;
        result.message = message;
        result.internal_error = internal;
        return result;
    }

    PrepareOutcome prepare(const std::string& name, const Language& language, const std::vector<SourceFile>& sources,
                           const std::vector<SourceFile>& files, const std::vector<std::string>& flags,
                           const Limits& compile_limits, const std::filesystem::path& job_dir,
                           const JudgeContext& context) {
        PrepareRequest request;
        request.language = &language;
        request.sources = sources;
        request.files = files;
        request.flags = flags;
        request.compile_limits = compile_limits;
        request.job_dir = job_dir;
        request.name = name;
        request.max_artifact_bytes = config_.max_artifact_bytes;
        request.max_compile_output_bytes = config_.max_compile_output_bytes;
        return prepare_program(request, launcher_, context.cancel, [&](const Limits& limits, const RunResult& r) {
            record(context, "compile", -1, language, limits, r);
        });
    }

    // Asks the launcher's pool (when it has one) to prepare sandboxes shaped like
    // this language's test runs ahead of time, expecting these limits: as many
    // as `runs` where the launcher allows that many (launcher.pool_max).
    void prewarm(const Language& language, bool network, const Limits& limits, std::size_t runs = 0) {
        RunSpec shape;
        shape.profile = language.run_security;
        shape.network = network;
        shape.limits = limits;
        launcher_.prewarm(shape, static_cast<unsigned>(std::min<std::size_t>(runs, UINT_MAX)));
    }

    // A checker or interactor: any failure to prepare it is the problem's, never the submission's.
    std::optional<PreparedProgram> prepare_helper(const char* role, const HelperProgram& helper,
                                                  const std::filesystem::path& job_dir,
                                                  const JudgeContext& context, JobResult& result) {
        const Language* language = find(helper.language);
        PrepareOutcome outcome = prepare(role, *language, helper.sources, {}, {},
                                         to_limits(language->profile.compile_limits.defaults), job_dir, context);
        if (outcome.verdict.verdict == Verdict::accepted) return std::move(outcome.program);
        result.verdict = Verdict::internal_error;
        result.message = "Internal error: the " + std::string(role) + " could not be prepared";
        result.internal_error = std::string(role) + ": " + outcome.verdict.message +
                                (outcome.compile_output.empty() ? "" : "\n" + outcome.compile_output);
        return std::nullopt;
    }

    JobResult run_job(const Job& raw_job, const JudgeContext& context) {
        auto normalized = normalize(raw_job);
        if (!normalized)
            return failed(Verdict::internal_error, "Internal error: the job was not valid",
                          "job not normalized: " + normalized.error().message);
        const Job& job = *normalized;
        const Language& language = *find(job.language);
        auto job_dir = TempDir::create(instance_.dir.path(), "job-", 0711);
        if (!job_dir)
            return failed(Verdict::internal_error, "Internal error", "job directory: " + job_dir.error().describe());

        JobResult result;
        result.language_version = language.info.version;
        // Built while the compiler runs, one per test where the pool may be that deep.
        prewarm(language, job.network, to_limits(job.run_limits), job.tests.size());
        PrepareOutcome submission = prepare("submission", language, job.sources, job.files, job.compiler_flags,
                                            to_limits(job.compile_limits), job_dir->path(), context);
        result.compile = submission.compile;
        result.compile_output = submission.compile_output;
        if (context.cancel && context.cancel->cancelled()) {
            result.verdict = Verdict::internal_error;
            result.internal_error = "cancelled";
            result.message = "The job was cancelled";
            return result;
        }
        if (submission.verdict.verdict != Verdict::accepted) {
            result.verdict = submission.verdict.verdict;
            result.message = submission.verdict.message;
            if (result.verdict == Verdict::internal_error) result.internal_error = submission.verdict.message;
            if (result.verdict == Verdict::compilation_error && submission.compile &&
                submission.compile->status != RunStatus::nonzero_exit)
                result.compile_output += (result.compile_output.empty() ? "" : "\n") + submission.verdict.message + "\n";
            return result;
        }

        TestPlan plan;
        plan.job = &job;
        plan.submission = &submission.program;
        plan.run_limits = to_limits(job.run_limits);
        plan.launcher = &launcher_;
        plan.cancel = context.cancel;
        plan.record = [&](const char* purpose, int index, const Language& lang, const Limits& limits,
                          const RunResult& r) { record(context, purpose, index, lang, limits, r); };
        std::optional<PreparedProgram> checker, interactor;
        if (job.checker) {
            checker = prepare_helper("checker", *job.checker, job_dir->path(), context, result);
            if (!checker) return result;
            plan.checker = &*checker;
            plan.checker_limits = checker_limits(*checker->language);
            prewarm(*checker->language, false, plan.checker_limits, job.tests.size());
        }
        if (job.interactor) {
            interactor = prepare_helper("interactor", *job.interactor, job_dir->path(), context, result);
            if (!interactor) return result;
            plan.interactor = &*interactor;
            plan.interactor_limits = interactor_limits(*interactor->language, plan.run_limits);
            prewarm(*interactor->language, false, plan.interactor_limits, job.tests.size());
        }
        run_tests(plan, job, context, result);
        return result;
    }

    void run_tests(const TestPlan& plan, const Job& job, const JudgeContext& context, JobResult& result) {
        const int count = static_cast<int>(job.tests.size());
        std::vector<std::optional<TestResult>> done(job.tests.size());
        std::atomic<int> next{0};
        std::atomic<int> first_failure{INT_MAX};
        auto cancelled = [&] { return context.cancel && context.cancel->cancelled(); };
        auto worker = [&] {
            for (int i; (i = next.fetch_add(1)) < count;) {
                if (cancelled()) return;
                if (job.stop_on_first_failure && i > first_failure.load()) return;  // indices only grow
                TestResult test = run_one_test(plan, i);
                if (cancelled()) return;  // killed by the cancel: not a verdict
                if (test.verdict != Verdict::accepted) {
                    int seen = first_failure.load();
                    while (i < seen && !first_failure.compare_exchange_weak(seen, i)) {}
                }
                if (context.on_test) context.on_test(test);
                done[static_cast<std::size_t>(i)] = std::move(test);
            }
        };
        unsigned threads_wanted = std::clamp<unsigned>(config_.test_concurrency, 1u, static_cast<unsigned>(count));
        std::vector<std::thread> threads;
        for (unsigned t = 1; t < threads_wanted; ++t) {
            try {
                threads.emplace_back(worker);
            } catch (const std::system_error&) {
                break;  // fewer threads, same result
            }
        }
        worker();
        for (auto& thread : threads) thread.join();

        // Deterministic whatever the scheduling: after the first failure (in
        // test order) every test is reported skipped, even one that ran.
        const int cut = job.stop_on_first_failure ? first_failure.load() : INT_MAX;
        for (int i = 0; i < count; ++i) {
            auto& slot = done[static_cast<std::size_t>(i)];
            if (slot && i <= cut) {
                add_to_maxima(result, slot->run);
                result.tests.push_back(std::move(*slot));
                continue;
            }
            TestResult skipped;
            skipped.index = i;
            skipped.verdict = Verdict::skipped;
            skipped.run.status = RunStatus::setup_error;
            skipped.message = i > cut ? "Skipped: an earlier test failed" : "Skipped: the job was cancelled";
            result.tests.push_back(std::move(skipped));
        }
        if (cancelled()) {
            result.verdict = Verdict::internal_error;
            result.internal_error = "cancelled";
            result.message = "The job was cancelled";
            return;
        }
        result.verdict = overall_verdict(result.tests);
        for (const auto& test : result.tests)
            if (test.verdict == result.verdict && test.verdict != Verdict::accepted) {
                result.message = test.message;
                if (test.verdict == Verdict::internal_error) result.internal_error = test.message;
                break;
            }
        if (result.verdict == Verdict::accepted) result.message = "Accepted";
    }

    JudgeConfig config_;
    Launcher& launcher_;
    InstanceDir instance_;  // removed (with any job left) when the Judge goes
    std::vector<std::unique_ptr<Language>> languages_;
    std::vector<LanguageInfo> infos_;
    Counters counters_;
};

}  // namespace

Result<std::unique_ptr<Judge>> Judge::create(JudgeConfig config, Launcher& launcher, const ProfileStore& profiles) {
    auto root = prepare_work_root(config.work_dir);
    if (!root) return std::move(root).error();
    auto instance = claim_instance_dir(*root);
    if (!instance) return std::move(instance).error();
    auto judge = std::make_unique<JudgeImpl>(std::move(config), launcher, std::move(*instance));
    if (auto loaded = judge->load(profiles); !loaded) return loaded.error();
    return std::unique_ptr<Judge>(std::move(judge));
}

}  // namespace ringfence
