// Shared by the judge's integration tests: one Judge over the source tree's
// profiles (toolchains probed once per process), the a+b programs of
// tests/judge/programs/, and helpers to build and run jobs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ringfence/judge.hpp"

namespace ringfence::test {

// The source tree: RINGFENCE_TEST_SOURCE_DIR, else the one this was built from.
std::string source_dir();
// Whether tests/judge/ can be read: the unprivileged re-run of the integration
// tests may not reach a checkout under /root. Tests that need its programs
// skip (saying so) without it; those with inline sources run everywhere.
bool judge_programs_readable();
Judge& judge();  // every profile in profiles/languages
std::unique_ptr<Judge> make_judge(const std::string& profiles_dir, std::vector<std::string> only_languages);

std::optional<std::string> read_file(const std::string& path);
// tests/judge/programs/LANGUAGE/KIND.* ("ac", "wa", ...), if there is one.
std::optional<std::string> program(const std::string& language, const std::string& kind);
std::vector<std::string> program_languages();  // directory names under tests/judge/programs

using IoPair = std::pair<std::string, std::optional<std::string>>;  // stdin, expected output
Job make_job(const std::string& language, const std::string& source, const std::vector<IoPair>& tests);

// Normalizes (which must succeed) and runs the job.
JobResult judge_job(Judge& judge, Job job, const JudgeContext& context = {});
// One line per test, for failure messages.
std::string describe(const JobResult& result);

}  // namespace ringfence::test
