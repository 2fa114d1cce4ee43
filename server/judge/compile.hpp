// Turning sources into something runnable, once per job and program: compile
// in a sandbox whose /box is a host work directory, then copy the artifacts
// out (safely) into a directory that every test binds read-only.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "languages.hpp"
#include "ringfence/judge.hpp"
#include "verdict.hpp"

namespace ringfence::judge {

// What every run of a prepared program needs. Its artifacts reach /box either
// as read-only copies (small ones, when the launcher can make copies read-only:
// a copy costs far less than a bind) or as read-only binds of each top-level entry.
struct PreparedProgram {
    const Language* language = nullptr;
    std::filesystem::path artifacts_dir;
    std::vector<BoxFile> files;    // the artifacts, copied
    std::vector<BindMount> binds;  // or bound at /box/NAME
    std::vector<std::string> env;  // NAME=VALUE from the profile
};

// Adds the program's artifacts to a run of it.
void add_artifacts(const PreparedProgram& program, RunSpec& spec);

struct PrepareRequest {
    const Language* language = nullptr;
    std::vector<SourceFile> sources;       // named; the main file named as the profile's source_file
    std::vector<SourceFile> files;         // extra files, visible to compile and run
    std::vector<std::string> flags;        // replaces {flags}; the profile default when empty
    Limits compile_limits;
    std::filesystem::path job_dir;         // private per-job directory
    std::string name;                      // "submission", "checker", "interactor"
    std::uint64_t max_artifact_bytes = 256ull << 20;
    std::uint64_t max_compile_output_bytes = 64 * 1024;
};

struct PrepareOutcome {
    // accepted: ready to run; compilation_error: the sources' fault (message +
    // output say why); internal_error: ours.
    RunVerdict verdict;
    std::optional<RunResult> compile;  // absent for interpreted languages
    std::string compile_output;        // stdout then stderr, capped
    PreparedProgram program;
};

// Called once for each compile sandbox, with its limits and result.
using CompileRecorder = std::function<void(const Limits&, const RunResult&)>;

PrepareOutcome prepare_program(const PrepareRequest& request, Launcher& launcher, CancelToken* cancel,
                               const CompileRecorder& record);

// The argv of one run: the profile's run command (placeholders expanded for
// `memory_kib`), then `args`.
std::vector<std::string> run_argv(const Language& language, std::uint64_t memory_kib,
                                  const std::vector<std::string>& args);

// Caps text at `max_bytes`, saying so at the end.
std::string cap_text(std::string text, std::uint64_t max_bytes);

}  // namespace ringfence::judge
