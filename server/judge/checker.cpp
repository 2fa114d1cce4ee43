#include "checker.hpp"

#include <algorithm>

namespace ringfence::judge {
namespace {

constexpr std::size_t kMaxMessageBytes = 4096;

std::string trimmed(const std::string& text) {
    std::size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) return {};
    std::size_t end = text.find_last_not_of(" \t\r\n");
    return text.substr(start, end - start + 1);
}

}  // namespace

HelperOutcome read_helper_verdict(const RunResult& run, const char* role) {
    HelperOutcome outcome;
    outcome.run = run;
    std::string said = trimmed(run.stderr_data);
    if (said.empty()) said = trimmed(run.stdout_data);
    outcome.message = cap_text(said, kMaxMessageBytes);
    const std::string who = role;
    if (run.status == RunStatus::ok) {
        outcome.verdict = Verdict::accepted;
    } else if (run.status == RunStatus::nonzero_exit && run.exit_code == 1) {
        outcome.verdict = Verdict::wrong_answer;
    } else if (run.status == RunStatus::nonzero_exit && run.exit_code == 2) {
        outcome.verdict = Verdict::presentation_error;
    } else if (run.status == RunStatus::nonzero_exit && run.exit_code == 3) {
        outcome.verdict = Verdict::internal_error;
        outcome.message = "the " + who + " reported a failure: " + outcome.message;
    } else {
        RunVerdict how = verdict_of_run(run);
        outcome.verdict = Verdict::internal_error;
        std::string what = run.status == RunStatus::nonzero_exit
                               ? "exited with code " + std::to_string(run.exit_code) + " (not 0-3)"
                               : how.message;
        outcome.message = "the " + who + " failed: " + what + (outcome.message.empty() ? "" : ": " + outcome.message);
    }
    return outcome;
}

HelperOutcome run_checker(const PreparedProgram& checker, const Limits& limits, const std::string& input,
                          const std::string& output, const std::string& answer, Launcher& launcher,
                          CancelToken* cancel, const std::function<void(const Limits&, const RunResult&)>& record) {
    const Language& language = *checker.language;
    RunSpec spec;
    spec.argv = run_argv(language, limits.memory_kib, {kInputFile, kOutputFile, kAnswerFile});
    spec.env = checker.env;
    spec.limits = limits;
    // The three files live in the checker's /box tmpfs: make room for them.
    std::uint64_t data_kib = (input.size() + output.size() + answer.size()) / 1024;
    spec.limits.box_size_kib = std::max<std::uint64_t>(spec.limits.box_size_kib, data_kib + 16 * 1024);
    spec.limits.memory_kib += data_kib;  // tmpfs pages may be charged to the checker's cgroup
    spec.profile = language.run_security;
    spec.box_files = {{kInputFile, input}, {kOutputFile, output}, {kAnswerFile, answer}};
    add_artifacts(checker, spec);
    RunResult run = launcher.run(spec, cancel);
    if (record) record(spec.limits, run);
    return read_helper_verdict(run, "checker");
}

}  // namespace ringfence::judge
