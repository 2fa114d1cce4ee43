// Interactive judging with the guessing game of tests/judge/interactive/: the
// interactor decides; a deadlock ends as a wall-time TLE, never a hang; an
// interactor that fails is never blamed on the submission.
#include <doctest/doctest.h>

#include "judge_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

namespace {

std::string game_file(const std::string& name) {
    auto text = read_file(source_dir() + "/tests/judge/interactive/" + name);
    REQUIRE_MESSAGE(text.has_value(), name);
    return *text;
}

Job game(const std::string& submission, const std::vector<std::string>& secrets) {
    std::vector<IoPair> tests;
    for (const auto& s : secrets) tests.push_back({s + "\n", std::nullopt});
    Job job = make_job("cpp17", game_file(submission), tests);
    job.interactor = HelperProgram{"cpp17", {SourceFile{"", game_file("interactor.cpp")}}};
    job.run_limits.cpu_time_ms = 1000;
    job.run_limits.wall_time_ms = 2000;
    return job;
}

}  // namespace

TEST_CASE("interactive: binary search is accepted") {
    if (!judge_programs_readable()) return;
    JudgeStats before = judge().stats();
    JobResult result = judge_job(judge(), game("ac.cpp", {"1", "500000", "1000000", "777777"}));
    JudgeStats after = judge().stats();
    INFO(describe(result));
    CHECK(result.verdict == Verdict::accepted);
    REQUIRE(result.tests.size() == 4);
    for (const auto& t : result.tests) {
        CHECK(t.verdict == Verdict::accepted);
        CHECK(t.checker_message.find("found") == 0);  // the interactor's own words
    }
    CHECK(after.compile_sandboxes - before.compile_sandboxes == 2);
    CHECK(after.interactor_sandboxes - before.interactor_sandboxes == 4);
}

TEST_CASE("interactive: a wrong final answer is the interactor's wrong answer") {
    if (!judge_programs_readable()) return;
    JobResult result = judge_job(judge(), game("wa.cpp", {"1", "42"}));
    INFO(describe(result));
    REQUIRE(result.tests.size() == 2);
    CHECK(result.tests[0].verdict == Verdict::accepted);  // "! 1" happens to be right
    CHECK(result.tests[1].verdict == Verdict::wrong_answer);
    CHECK(result.tests[1].checker_message == "answered 1, the number was 42");
    CHECK(result.verdict == Verdict::wrong_answer);
}

TEST_CASE("interactive: a deadlock ends as TLE (wall), not a hang") {
    if (!judge_programs_readable()) return;
    JobResult result = judge_job(judge(), game("deadlock.cpp", {"5"}));
    INFO(describe(result));
    CHECK(result.verdict == Verdict::time_limit_exceeded);
    REQUIRE(result.tests.size() == 1);
    CHECK(result.tests[0].time_limit_kind == "wall");
    CHECK(result.tests[0].run.status == RunStatus::wall_time_limit);
    CHECK(result.tests[0].run.cpu_time_us < 1'000'000);  // it was waiting, not computing
}

TEST_CASE("interactive: a failing interactor is an internal error") {
    if (!judge_programs_readable()) return;
    // No secret in the input: the interactor exits 3 (its own failure).
    JobResult result = judge_job(judge(), game("ac.cpp", {""}));
    INFO(describe(result));
    CHECK(result.verdict == Verdict::internal_error);
    CHECK(result.tests.at(0).checker_message.find("cannot read the secret") != std::string::npos);
}

TEST_CASE("interactive: a submission that crashes after the interactor accepted is a runtime error") {
    if (!judge_programs_readable()) return;
    const char* crash = R"(#include <iostream>
#include <cstdlib>
int main() { std::cout << "! 3" << std::endl; std::abort(); }
)";
    Job job = game("ac.cpp", {"3"});
    job.sources = {SourceFile{"", crash}};
    JobResult result = judge_job(judge(), job);
    INFO(describe(result));
    CHECK(result.verdict == Verdict::runtime_error);
}
