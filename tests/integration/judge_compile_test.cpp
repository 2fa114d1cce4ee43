// Compilers are attack surface too: reading /dev/random, template bombs and
// error floods end as compile errors through the compile limits, never as a
// hang; and whatever the compile step leaves in /box (symlinks to host files,
// FIFOs) is never followed when the artifacts are copied out (Judge0
// CVE-2024-28185).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "judge_fixture.hpp"
#include "sandbox_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

namespace {

Job abusive(const std::string& source) {
    Job job = make_job("cpp17", source, {{"", std::string("")}});
    job.compile_limits.cpu_time_ms = 4000;
    job.compile_limits.wall_time_ms = 8000;
    return job;
}

// A language whose "compiler" runs the submission as a shell script: it stands
// for every toolchain that executes user code at compile time (build scripts,
// macros), and lets the test plant whatever it likes in /box.
std::string shell_language(const std::string& id, const std::string& artifacts) {
    return R"json({"id": ")json" + id + R"json(", "name": "shell-compiled test language",
      "version_command": ["/bin/sh", "-c", "echo 1.0"], "version_regex": "([0-9.]+)",
      "source_file": "build.sh", "compile": ["/bin/sh", "build.sh"],
      "run": ["/bin/sh", "./main"], "artifacts": )json" + artifacts + R"json(,
      "env": {"PATH": "/usr/bin:/bin"},
      "sandbox": {"profile": "default"},
      "limits": {"run": {"default": {"cpu_time_ms": 2000, "wall_time_ms": 4000, "memory_kib": 65536, "processes": 8}}}})json";
}

struct ShellJudge {
    std::string dir;
    std::unique_ptr<Judge> judge;
    ShellJudge() {
        dir = temp_dir("judge-profiles");
        std::filesystem::create_directory(dir + "/languages");
        std::ofstream(dir + "/languages/shellmain.json") << shell_language("shellmain", R"(["main"])");
        std::ofstream(dir + "/languages/shellall.json") << shell_language("shellall", R"(["*"])");
        judge = make_judge(dir, {"shellmain", "shellall"});
        for (const char* id : {"shellmain", "shellall"}) {
            const LanguageInfo* info = judge->find_language(id);
            REQUIRE(info);
            REQUIRE_MESSAGE(info->available, info->unavailable_reason);
        }
    }
    ~ShellJudge() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("#include </dev/random> ends as a compile error") {
    JobResult result = judge_job(judge(), abusive("#include </dev/random>\nint main() {}\n"));
    INFO(describe(result));
    CHECK(result.verdict == Verdict::compilation_error);
    REQUIRE(result.compile.has_value());
    CHECK(result.compile->status != RunStatus::setup_error);
    CHECK(result.tests.empty());
}

TEST_CASE("a template bomb ends as a compile error") {
    // ~90,000 distinct instantiations; if the compiler ever finishes within the
    // limits, the static_assert still makes it an error.
    const char* bomb = R"(template <int N, int M> struct Grid {
    static constexpr long v = Grid<N - 1, M>::v + Grid<N, M - 1>::v + 1;
};
template <int M> struct Grid<0, M> { static constexpr long v = 1; };
template <int N> struct Grid<N, 0> { static constexpr long v = 1; };
static_assert(Grid<300, 300>::v == 0, "never true");
int main() {}
)";
    JobResult result = judge_job(judge(), abusive(bomb));
    INFO(describe(result));
    CHECK(result.verdict == Verdict::compilation_error);
    CHECK_FALSE(result.compile_output.empty());
}

TEST_CASE("an error flood ends as a compile error with capped output") {
    std::string flood = "int main() {\n";
    for (int i = 0; i < 200'000; ++i) flood += "undefined_name_" + std::to_string(i % 10) + ";\n";
    flood += "}\n";
    JobResult result = judge_job(judge(), abusive(flood));
    INFO(describe(result).substr(0, 3000));
    CHECK(result.verdict == Verdict::compilation_error);
    CHECK(result.compile_output.size() <= 64 * 1024 + 512);  // JudgeConfig::max_compile_output_bytes
    CHECK(result.compile_output.find("undefined_name_") != std::string::npos);
}

TEST_CASE("a compile error carries the compiler's output") {
    JobResult result = judge_job(judge(), make_job("cpp17", "int main() { return missing; }\n", {{"", std::nullopt}}));
    INFO(describe(result));
    CHECK(result.verdict == Verdict::compilation_error);
    CHECK(result.compile_output.find("missing") != std::string::npos);
    CHECK(result.message == "Compilation error: the compiler exited with code 1");
}

TEST_CASE("a symlink left as the artifact is not followed out of the sandbox") {
    ShellJudge shell;
    // The build leaves main -> a host file only root can read.
    Job job = make_job("shellmain", "ln -s /etc/shadow main\n", {{"", std::nullopt}});
    JobResult result = judge_job(*shell.judge, job);
    INFO(describe(result));
    CHECK(result.verdict == Verdict::compilation_error);
    CHECK(result.message.find("symlink") != std::string::npos);
    CHECK(result.compile_output.find("root:") == std::string::npos);

    // With "*" artifacts the symlink is skipped; the program finds no leak.
    Job all = make_job("shellall",
                       "ln -s /etc/shadow leak\n"
                       "printf 'cat leak 2>/dev/null || echo no-leak\\n' > main\n",
                       {{"", std::string("no-leak\n")}});
    JobResult copied = judge_job(*shell.judge, all);
    INFO(describe(copied));
    CHECK(copied.verdict == Verdict::accepted);
}

TEST_CASE("a FIFO left as the artifact does not block the judge") {
    ShellJudge shell;
    JobResult result = judge_job(*shell.judge, make_job("shellmain", "mkfifo main\n", {{"", std::nullopt}}));
    INFO(describe(result));
    CHECK(result.verdict == Verdict::compilation_error);
    CHECK(result.message.find("special file") != std::string::npos);
    // With "*", it is skipped and the rest is copied.
    Job all = make_job("shellall", "mkfifo pipe\necho 'echo ok' > main\n", {{"", std::string("ok\n")}});
    JobResult skipped = judge_job(*shell.judge, all);
    INFO(describe(skipped));
    CHECK(skipped.verdict == Verdict::accepted);
}

TEST_CASE("a build that produces nothing is a compile error") {
    ShellJudge shell;
    JobResult result = judge_job(*shell.judge, make_job("shellmain", "true\n", {{"", std::nullopt}}));
    INFO(describe(result));
    CHECK(result.verdict == Verdict::compilation_error);
    CHECK(result.message == "Compilation error: compilation did not produce main");
}
