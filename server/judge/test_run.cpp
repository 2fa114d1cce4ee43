#include "test_run.hpp"

#include "checker.hpp"
#include "compare.hpp"
#include "interactive.hpp"

namespace ringfence::judge {
namespace {

std::vector<std::string> test_args(const Job& job, const TestCase& test) {
    std::vector<std::string> args = job.args;
    args.insert(args.end(), test.args.begin(), test.args.end());
    return args;
}

std::function<void(const Limits&, const RunResult&)> recorder(const TestPlan& plan, const char* purpose,
                                                              int index, const PreparedProgram& program) {
    if (!plan.record) return {};
    return [&plan, purpose, index, &program](const Limits& limits, const RunResult& result) {
        plan.record(purpose, index, *program.language, limits, result);
    };
}

TestResult interactive_test(const TestPlan& plan, int index) {
    const TestCase& test = plan.job->tests[static_cast<std::size_t>(index)];
    InteractiveRequest request;
    request.submission = plan.submission;
    request.submission_argv = run_argv(*plan.submission->language, plan.run_limits.memory_kib, test_args(*plan.job, test));
    request.submission_limits = plan.run_limits;
    request.network = plan.job->network;
    request.interactor = plan.interactor;
    request.interactor_limits = plan.interactor_limits;
    request.test = &test;
    request.cancel = plan.cancel;
    request.record_submission = recorder(plan, "test", index, *plan.submission);
    request.record_interactor = recorder(plan, "interactor", index, *plan.interactor);
    InteractiveOutcome outcome = run_interactive(request, *plan.launcher);
    TestResult result;
    result.index = index;
    result.verdict = outcome.verdict.verdict;
    result.time_limit_kind = outcome.verdict.time_limit_kind;
    result.message = outcome.verdict.message;
    result.checker_message = outcome.interactor.message;
    result.run = std::move(outcome.submission);
    return result;
}

}  // namespace

TestResult run_one_test(const TestPlan& plan, int index) {
    if (plan.interactor) return interactive_test(plan, index);
    const Job& job = *plan.job;
    const TestCase& test = job.tests[static_cast<std::size_t>(index)];
    const PreparedProgram& program = *plan.submission;
    RunSpec spec;
    spec.argv = run_argv(*program.language, plan.run_limits.memory_kib, test_args(job, test));
    spec.env = program.env;
    spec.limits = plan.run_limits;
    spec.profile = program.language->run_security;
    add_artifacts(program, spec);
    spec.network = job.network;
    spec.stdin_source = InputSource::bytes(test.stdin_data);
    spec.stdout_target = OutputTarget::capture();
    spec.stderr_target = OutputTarget::capture();

    TestResult result;
    result.index = index;
    result.run = plan.launcher->run(spec, plan.cancel);
    if (plan.record) plan.record("test", index, *program.language, spec.limits, result.run);
    RunVerdict verdict = verdict_of_run(result.run);
    if (verdict.verdict == Verdict::accepted) {
        if (job.compare.mode == CompareMode::checker && plan.checker) {
            HelperOutcome checked =
                run_checker(*plan.checker, plan.checker_limits, test.stdin_data, result.run.stdout_data,
                            test.expected_output.value_or(""), *plan.launcher, plan.cancel,
                            recorder(plan, "checker", index, *plan.checker));
            result.checker_message = checked.message;
            verdict.verdict = checked.verdict;
            if (checked.verdict == Verdict::wrong_answer) verdict.message = "Wrong answer: " + checked.message;
            else if (checked.verdict == Verdict::presentation_error) verdict.message = "Presentation error: " + checked.message;
            else if (checked.verdict != Verdict::accepted) verdict.message = "Internal error: " + checked.message;
        } else if (test.expected_output) {
            CompareOutcome compared = compare_output(*test.expected_output, result.run.stdout_data, job.compare);
            if (!compared.accepted) {
                verdict = {Verdict::wrong_answer, "", "Wrong answer: " + compared.message};
                result.checker_message = compared.message;
            }
        }
    }
    result.verdict = verdict.verdict;
    result.time_limit_kind = verdict.time_limit_kind;
    result.message = verdict.message;
    return result;
}

}  // namespace ringfence::judge
