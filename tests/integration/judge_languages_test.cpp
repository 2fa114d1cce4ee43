// Every installed language on a+b: the accepted, wrong, non-compiling,
// crashing and looping programs of tests/judge/programs/ID/ get exactly the
// verdicts they are written for.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "judge_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

namespace {

struct Case {
    std::string language;
    std::string kind;
    Verdict expected = Verdict::accepted;
    Job job;
    JobResult result;
};

// The input needs 64-bit arithmetic, so several wa programs fail by overflow.
// One test: plaintext's "program" is its output.
const std::vector<IoPair> kTests = {{"1000000000 2000000000\n", "3000000000\n"}};

}  // namespace

TEST_CASE("every installed language: AC, WA, CE, RE and TLE on a+b") {
    if (!judge_programs_readable()) return;
    Judge& j = judge();
    std::vector<Case> cases;
    std::vector<std::string> skipped;
    for (const auto& language : program_languages()) {
        const LanguageInfo* info = j.find_language(language);
        if (!info || !info->available) {
            skipped.push_back(language + (info ? " (" + info->unavailable_reason + ")" : " (no profile)"));
            continue;
        }
        for (const char* kind : {"ac", "wa", "ce", "re", "tle"}) {
            auto source = program(language, kind);
            if (!source) continue;
            Case c;
            c.language = language;
            c.kind = kind;
            std::string k = kind;
            c.expected = k == "ac"   ? Verdict::accepted
                         : k == "wa" ? Verdict::wrong_answer
                         : k == "ce" ? (info->compiled ? Verdict::compilation_error : Verdict::runtime_error)
                         : k == "re" ? Verdict::runtime_error
                                     : Verdict::time_limit_exceeded;
            c.job = make_job(language, *source, kTests);
            if (k == "tle") {
                c.job.run_limits.cpu_time_ms = 1000;
                c.job.run_limits.wall_time_ms = 4000;
            }
            cases.push_back(std::move(c));
        }
    }
    for (const auto& s : skipped) MESSAGE("not installed, not tested: " << s);
    REQUIRE_FALSE(cases.empty());

    // Normalize here (REQUIRE needs the main thread), judge on two threads.
    for (auto& c : cases) {
        auto normalized = j.normalize(c.job);
        INFO(c.language << "/" << c.kind);
        REQUIRE_MESSAGE(normalized.ok(), (normalized.ok() ? "" : normalized.error().message));
        c.job = std::move(*normalized);
    }
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < cases.size();) cases[i].result = j.run(cases[i].job, {});
    };
    std::thread second(worker);
    worker();
    second.join();

    std::size_t languages_passed = 0;
    std::string current;
    bool all_ok = true;
    for (const auto& c : cases) {
        if (c.language != current) {
            if (!current.empty() && all_ok) ++languages_passed;
            current = c.language;
            all_ok = true;
        }
        INFO(c.language << "/" << c.kind << ": " << describe(c.result));
        CHECK(c.result.verdict == c.expected);
        all_ok = all_ok && c.result.verdict == c.expected;
        if (c.expected == Verdict::time_limit_exceeded && !c.result.tests.empty())
            CHECK_FALSE(c.result.tests[0].time_limit_kind.empty());
        if (c.expected == Verdict::compilation_error) CHECK_FALSE(c.result.compile_output.empty());
        if (c.expected == Verdict::accepted) {
            CHECK(c.result.tests.size() == kTests.size());
            CHECK(c.result.max_cpu_time_us > 0);
        }
    }
    if (!current.empty() && all_ok) ++languages_passed;
    MESSAGE(languages_passed << " languages passed every case, " << skipped.size() << " not installed");
}
