// Memory verdicts and figures: programs that allocate past a 64 MiB limit are
// "memory limit exceeded" in C, Java and Python alike; a fully touched 100 MiB
// static array under 256 MiB is accepted and reported as 100 MiB (+/- 3 MiB).
#include <doctest/doctest.h>

#include "judge_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

namespace {

bool installed(const std::string& language) {
    const LanguageInfo* info = judge().find_language(language);
    if (info && info->available) return true;
    MESSAGE(language << " is not installed here: not tested");
    return false;
}

}  // namespace

TEST_CASE("allocating past 64 MiB is MLE in C, Java and Python") {
    if (!judge_programs_readable()) return;
    for (const char* language : {"c", "java", "python3"}) {
        if (!installed(language)) continue;
        auto source = program(language, "mle");
        REQUIRE_MESSAGE(source.has_value(), std::string(language));
        Job job = make_job(language, *source, {{"1 2\n", "3\n"}});
        job.run_limits.memory_kib = 64 * 1024;
        JobResult result = judge_job(judge(), job);
        INFO(std::string(language) << ": " << describe(result));
        CHECK(result.verdict == Verdict::memory_limit_exceeded);
        CHECK(result.tests.size() == 1);
        if (result.tests.size() != 1) continue;
        CHECK(result.tests[0].run.status == RunStatus::memory_limit);
        CHECK(result.tests[0].message.find("Memory limit exceeded") == 0);
    }
}

TEST_CASE("a 100 MiB static array under 256 MiB is accepted and measured as 100 MiB") {
    if (!judge_programs_readable() || !installed("c")) return;
    auto source = program("c", "static100");
    REQUIRE(source.has_value());
    Job job = make_job("c", *source, {{"1 2\n", "3\n"}});
    job.run_limits.memory_kib = 256 * 1024;
    JobResult result = judge_job(judge(), job);
    INFO(describe(result));
    REQUIRE(result.verdict == Verdict::accepted);
    const std::uint64_t reported = result.tests.at(0).run.memory_kib;
    MESSAGE("static100.c peak memory: " << reported << " KiB (" << result.tests.at(0).run.measured_by << ")");
    CHECK(reported >= 100 * 1024 - 3 * 1024);
    CHECK(reported <= 100 * 1024 + 3 * 1024);
    CHECK(result.max_memory_kib == reported);
}
