#include "judge_fixture.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sandbox_fixture.hpp"

namespace ringfence::test {

namespace fs = std::filesystem;

std::string source_dir() {
    if (const char* dir = std::getenv("RINGFENCE_TEST_SOURCE_DIR")) return dir;
    return RINGFENCE_SOURCE_DIR;
}

bool judge_programs_readable() {
    bool readable = ::access((source_dir() + "/tests/judge/programs").c_str(), R_OK | X_OK) == 0;
    if (!readable) MESSAGE("tests/judge/ is not readable here (" << source_dir() << "): skipped");
    return readable;
}

std::unique_ptr<Judge> make_judge(const std::string& profiles_dir, std::vector<std::string> only_languages) {
    static std::vector<std::unique_ptr<ProfileStore>> stores;  // outlive every judge
    stores.push_back(std::make_unique<ProfileStore>(profiles_dir));
    JudgeConfig config;
    config.test_concurrency = 2;
    config.only_languages = std::move(only_languages);
    auto created = Judge::create(config, launcher(), *stores.back());
    if (!created) throw std::runtime_error("Judge::create: " + created.error().describe());
    return std::move(*created);
}

Judge& judge() {
    static std::unique_ptr<Judge> instance = make_judge(source_dir() + "/profiles", {});
    return *instance;
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::optional<std::string> program(const std::string& language, const std::string& kind) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(source_dir() + "/tests/judge/programs/" + language, ec))
        if (entry.path().stem() == kind) return read_file(entry.path().string());
    return std::nullopt;
}

std::vector<std::string> program_languages() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(source_dir() + "/tests/judge/programs", ec))
        if (entry.is_directory()) out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

Job make_job(const std::string& language, const std::string& source, const std::vector<IoPair>& tests) {
    Job job;
    job.language = language;
    job.sources = {SourceFile{"", source}};
    for (const auto& [in, expected] : tests) {
        TestCase test;
        test.stdin_data = in;
        test.expected_output = expected;
        job.tests.push_back(std::move(test));
    }
    return job;
}

JobResult judge_job(Judge& judge, Job job, const JudgeContext& context) {
    auto normalized = judge.normalize(std::move(job));
    REQUIRE_MESSAGE(normalized.ok(), (normalized.ok() ? "" : normalized.error().message));
    return judge.run(*normalized, context);
}

std::string describe(const JobResult& result) {
    std::ostringstream out;
    out << "verdict=" << to_string(result.verdict) << " message=" << result.message
        << " internal=" << result.internal_error << "\ncompile_output=" << result.compile_output.substr(0, 2000);
    for (const auto& t : result.tests)
        out << "\n  test " << t.index << ": " << to_string(t.verdict) << " (" << t.message << ") status="
            << to_string(t.run.status) << " cpu_ms=" << t.run.cpu_time_ms() << " mem_kib=" << t.run.memory_kib
            << " stdout=" << t.run.stdout_data.substr(0, 200) << " stderr=" << t.run.stderr_data.substr(0, 500)
            << " error=" << t.run.error;
    return out.str();
}

}  // namespace ringfence::test
