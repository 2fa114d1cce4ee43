// The pipeline around the verdicts: compile once for many tests, a fresh /box
// per test with read-only artifacts, stop_on_first_failure, the audit
// callbacks, cancellation, and custom checkers.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "judge_fixture.hpp"
#include "sandbox_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

namespace {

const char* kAplusB = R"(#include <cstdio>
int main() { long long a, b; if (std::scanf("%lld %lld", &a, &b) != 2) return 1; std::printf("%lld\n", a + b); }
)";

// Each test looks for what an earlier test could have left behind, and tries
// to overwrite its own binary.
const char* kProbeState = R"(#include <cstdio>
int main() {
    bool stale = std::fopen("/box/note", "r") || std::fopen("/tmp/note", "r");
    std::FILE* a = std::fopen("/box/note", "w");
    std::FILE* b = std::fopen("/tmp/note", "w");
    bool wrote = a && b;
    bool binary_writable = std::fopen("/box/main", "r+") != nullptr;
    std::printf("%s %s %s\n", stale ? "stale" : "fresh", wrote ? "wrote" : "nowrite",
                binary_writable ? "rw" : "ro");
}
)";

}  // namespace

TEST_CASE("a 100-test job compiles once and runs 100 sandboxes") {
    std::vector<IoPair> tests;
    for (int i = 0; i < 100; ++i)
        tests.push_back({std::to_string(i) + " " + std::to_string(i + 1) + "\n", std::to_string(2 * i + 1) + "\n"});
    Job job = make_job("cpp17", kAplusB, tests);
    std::mutex mutex;
    std::map<std::string, int> sandboxes;
    std::atomic<int> progress{0};
    JudgeContext context;
    context.on_sandbox = [&](const SandboxRecord& record) {
        std::lock_guard lock(mutex);
        ++sandboxes[record.purpose];
        CHECK(record.language == "cpp17");
    };
    context.on_test = [&](const TestResult&) { ++progress; };
    JudgeStats before = judge().stats();
    JobResult result = judge_job(judge(), job, context);
    JudgeStats after = judge().stats();
    INFO(describe(result));
    CHECK(result.verdict == Verdict::accepted);
    REQUIRE(result.tests.size() == 100);
    for (int i = 0; i < 100; ++i) {
        CHECK(result.tests[i].index == i);
        CHECK(result.tests[i].verdict == Verdict::accepted);
    }
    CHECK(after.compile_sandboxes - before.compile_sandboxes == 1);
    CHECK(after.test_sandboxes - before.test_sandboxes == 100);
    CHECK(sandboxes["compile"] == 1);
    CHECK(sandboxes["test"] == 100);
    CHECK(progress == 100);
    REQUIRE(result.compile.has_value());
    CHECK(result.compile->status == RunStatus::ok);
    CHECK(result.max_wall_time_us > 0);
}

TEST_CASE("nothing one test writes is seen by the next; the binary is read-only") {
    std::vector<IoPair> tests(6, IoPair{"", std::string("fresh wrote ro\n")});
    JobResult result = judge_job(judge(), make_job("cpp17", kProbeState, tests));
    INFO(describe(result));
    CHECK(result.verdict == Verdict::accepted);
    for (const auto& t : result.tests) CHECK(t.run.stdout_data == "fresh wrote ro\n");
}

TEST_CASE("stop_on_first_failure: later tests are skipped, deterministically") {
    std::vector<IoPair> tests = {{"1 1\n", "2\n"}, {"1 2\n", "4\n"}, {"2 2\n", "4\n"}, {"3 3\n", "6\n"},
                                 {"4 4\n", "8\n"}};
    Job job = make_job("cpp17", kAplusB, tests);
    job.stop_on_first_failure = true;
    JobResult result = judge_job(judge(), job);
    INFO(describe(result));
    CHECK(result.verdict == Verdict::wrong_answer);
    REQUIRE(result.tests.size() == 5);
    CHECK(result.tests[0].verdict == Verdict::accepted);
    CHECK(result.tests[1].verdict == Verdict::wrong_answer);
    CHECK(result.tests[1].message.find("Wrong answer") == 0);
    CHECK(result.tests[1].checker_message.find("expected \"4\", got \"3\"") != std::string::npos);
    for (int i = 2; i < 5; ++i) CHECK(result.tests[i].verdict == Verdict::skipped);
    CHECK(result.message.find("Wrong answer") == 0);

    job.stop_on_first_failure = false;
    JobResult all = judge_job(judge(), job);
    CHECK(all.verdict == Verdict::wrong_answer);
    for (int i : {0, 2, 3, 4}) CHECK(all.tests[i].verdict == Verdict::accepted);
}

TEST_CASE("job arguments, test arguments and extra files reach the program") {
    const char* source = R"(#include <cstdio>
int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) std::printf("%s ", argv[i]);
    std::FILE* f = std::fopen("data/table.txt", "r");
    char word[32] = "none";
    if (f) std::fscanf(f, "%31s", word);
    std::printf("%s\n", word);
}
)";
    Job job = make_job("cpp17", source, {{"", std::string("-x one table\n")}, {"", std::string("-x two table\n")}});
    job.args = {"-x"};
    job.tests[0].args = {"one"};
    job.tests[1].args = {"two"};
    job.files = {SourceFile{"data/table.txt", "table\n"}};
    job.compare.mode = CompareMode::exact;
    JobResult result = judge_job(judge(), job);
    INFO(describe(result));
    CHECK(result.verdict == Verdict::accepted);
}

TEST_CASE("cancelling a job stops its runs and blames nobody") {
    const char* spin = "int main() { volatile unsigned long x = 0; for (;;) x = x + 1; }\n";
    Job job = make_job("cpp17", spin, {{"", std::string("x")}, {"", std::string("x")}, {"", std::string("x")}});
    job.run_limits.cpu_time_ms = 10000;
    job.run_limits.wall_time_ms = 20000;
    CancelToken cancel;
    std::thread canceller;
    std::mutex mutex;
    std::vector<SandboxRecord> records;
    JudgeContext context;
    context.cancel = &cancel;
    context.on_sandbox = [&](const SandboxRecord& record) {
        std::lock_guard lock(mutex);
        records.push_back(record);
        if (record.purpose == "compile")
            canceller = std::thread([&] {
                std::this_thread::sleep_for(std::chrono::milliseconds(500));
                cancel.cancel();
            });
    };
    JobResult result = judge_job(judge(), job, context);
    if (canceller.joinable()) canceller.join();
    INFO(describe(result));
    CHECK(result.verdict == Verdict::internal_error);
    CHECK(result.internal_error == "cancelled");
    for (const auto& t : result.tests) CHECK(t.verdict == Verdict::skipped);
    for (const auto& r : records)
        if (r.purpose == "test") CHECK(r.result.cpu_time_us < 10'000'000);  // stopped, not run to its limit
}

// ---- custom checkers ---------------------------------------------------------

namespace {

// Accepts an answer within 1 of the expected one; "broken" in the answer file
// is the checker's own failure; empty output is a presentation error.
const char* kChecker = R"(#include <cstdio>
#include <cstdlib>
#include <cstring>
int main(int argc, char** argv) {
    if (argc != 4) return 3;
    std::FILE* in = std::fopen(argv[1], "r");
    std::FILE* out = std::fopen(argv[2], "r");
    std::FILE* ans = std::fopen(argv[3], "r");
    if (!in || !out || !ans) { std::fprintf(stderr, "missing file\n"); return 3; }
    char word[64] = "";
    if (std::fscanf(ans, "%63s", word) != 1 || std::strcmp(word, "broken") == 0) {
        std::fprintf(stderr, "bad answer file\n");
        return 3;
    }
    long expected = std::atol(word), got = 0;
    if (std::fscanf(out, "%ld", &got) != 1) { std::fprintf(stderr, "no number in the output\n"); return 2; }
    long d = got - expected;
    if (d < -1 || d > 1) { std::fprintf(stderr, "expected %ld, got %ld\n", expected, got); return 1; }
    std::fprintf(stderr, "ok, off by %ld\n", d);
    return 0;
}
)";

const char* kEcho = "#include <cstdio>\nint main() { char s[64] = \"\"; if (std::scanf(\"%63s\", s) == 1) std::puts(s); }\n";

}  // namespace

TEST_CASE("a custom checker decides with testlib exit codes") {
    Job job = make_job("cpp17", kEcho,
                       {{"10\n", std::string("10\n")}, {"11\n", std::string("10\n")}, {"15\n", std::string("10\n")},
                        {"\n", std::string("10\n")}, {"7\n", std::string("broken\n")}});
    job.compare.mode = CompareMode::checker;
    job.checker = HelperProgram{"cpp17", {SourceFile{"", kChecker}}};
    JudgeStats before = judge().stats();
    JobResult result = judge_job(judge(), job);
    JudgeStats after = judge().stats();
    INFO(describe(result));
    REQUIRE(result.tests.size() == 5);
    CHECK(result.tests[0].verdict == Verdict::accepted);
    CHECK(result.tests[0].checker_message == "ok, off by 0");
    CHECK(result.tests[1].verdict == Verdict::accepted);  // the checker's rule, not plain comparison
    CHECK(result.tests[1].checker_message == "ok, off by 1");
    CHECK(result.tests[2].verdict == Verdict::wrong_answer);
    CHECK(result.tests[2].checker_message == "expected 10, got 15");
    CHECK(result.tests[3].verdict == Verdict::presentation_error);
    CHECK(result.tests[4].verdict == Verdict::internal_error);  // the checker failed: not the user's fault
    CHECK(result.tests[4].checker_message.find("bad answer file") != std::string::npos);
    CHECK(result.verdict == Verdict::wrong_answer);               // the first failure in test order
    CHECK(after.compile_sandboxes - before.compile_sandboxes == 2);  // submission and checker, once each
    CHECK(after.checker_sandboxes - before.checker_sandboxes == 5);
}

TEST_CASE("a checker that does not compile is an internal error, not the submission's") {
    Job job = make_job("cpp17", kEcho, {{"1\n", std::string("1\n")}});
    job.compare.mode = CompareMode::checker;
    job.checker = HelperProgram{"cpp17", {SourceFile{"", "this is not C++"}}};
    JobResult result = judge_job(judge(), job);
    INFO(describe(result));
    CHECK(result.verdict == Verdict::internal_error);
    CHECK(result.internal_error.find("checker") == 0);
}
