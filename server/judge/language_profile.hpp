// A language profile (profiles/languages/ID.json, format in profiles/README.md)
// as the judge uses it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ringfence/error.hpp"
#include "ringfence/job.hpp"
#include "ringfence/limits.hpp"
#include "ringfence/profile.hpp"

namespace ringfence::judge {

struct SandboxNeeds {
    std::string profile = "default";  // security profile from profiles/sandbox/
    std::vector<MountEntry> extra_mounts;
    std::vector<std::string> extra_syscall_groups;
    std::vector<std::string> extra_syscalls;
};

// Every field of both is set after parsing.
struct LimitRange {
    JobLimits defaults;
    JobLimits max;
};

struct SmokeTest {
    std::string source;  // path relative to profiles/
    std::string stdin_data;
    std::string expected_stdout;
};

struct LanguageProfile {
    std::string id;
    std::string name;
    std::vector<std::string> version_command;
    std::string version_regex;
    std::vector<std::string> packages;
    bool core = false;
    std::string source_file;
    std::optional<std::vector<std::string>> compile;  // none: interpreted
    std::vector<std::string> default_flags;
    std::vector<std::string> allowed_flags;
    std::vector<std::string> run;
    std::vector<std::string> artifacts;
    std::vector<std::pair<std::string, std::string>> env;
    SandboxNeeds sandbox;
    std::optional<SandboxNeeds> compile_sandbox;  // none: `sandbox` serves both steps
    LimitRange compile_limits;
    LimitRange run_limits;
    std::vector<std::pair<int, std::string>> judge0;  // id, name
    std::string piston_language;
    std::vector<std::string> piston_aliases;
    std::optional<SmokeTest> smoke;
};

// Parses one profile. `expected_id` is the file's base name; the "id" field must
// equal it. Errors are input errors naming the field ("limits.run.max.memory_kib: ...").
Result<LanguageProfile> parse_language_profile(const std::string& json_text,
                                               const std::string& expected_id);

// The launcher's Limits for a step, from a job's (normalized) limits.
Limits to_limits(const JobLimits& limits);

// `command` with "{flags}" (a whole argument) replaced by `flags`, and
// "{memory_mib}" / "{memory_kib}" inside arguments replaced by the memory limit.
std::vector<std::string> expand_command(const std::vector<std::string>& command,
                                        const std::vector<std::string>& flags,
                                        std::uint64_t memory_kib);

// The version in a toolchain's output: the regex's first capture group, else
// the first non-empty line; capped at 100 bytes.
std::string extract_version(const std::string& output, const std::string& regex);
std::string first_output_line(const std::string& text);

}  // namespace ringfence::judge
