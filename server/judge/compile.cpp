#include "compile.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "artifacts.hpp"
#include "workspace.hpp"

namespace ringfence::judge {
namespace {

PrepareOutcome fail(Verdict verdict, std::string message) {
    PrepareOutcome outcome;
    outcome.verdict = RunVerdict{verdict, "", std::move(message)};
    return outcome;
}

PrepareOutcome internal(const std::string& what, const Error& error) {
    return fail(Verdict::internal_error, "Internal error: " + what + ": " + error.describe());
}

Result<std::filesystem::path> make_artifacts_dir(const PrepareRequest& request) {
    std::filesystem::path dir = request.job_dir / request.name;
    if (::mkdir(dir.c_str(), 0755) != 0) return internal_error("mkdir " + dir.string(), errno);
    if (::chmod(dir.c_str(), 0755) != 0) return internal_error("chmod " + dir.string(), errno);
    return dir;
}

Result<std::vector<BindMount>> artifact_binds(const std::filesystem::path& dir) {
    auto names = list_top_level(dir);
    if (!names) return std::move(names).error();
    std::vector<BindMount> binds;
    for (const auto& name : *names) binds.push_back(BindMount{(dir / name).string(), "/box/" + name, false});
    return binds;
}

std::vector<SourceFile> concat(const std::vector<SourceFile>& a, const std::vector<SourceFile>& b) {
    std::vector<SourceFile> out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

// Runs the compiler in `build_dir` (mounted read-write on /box).
RunResult run_compiler(const PrepareRequest& request, const std::filesystem::path& build_dir,
                       Launcher& launcher, CancelToken* cancel, const CompileRecorder& record) {
    const Language& language = *request.language;
    const auto& flags = request.flags.empty() ? language.profile.default_flags : request.flags;
    RunSpec spec;
    spec.argv = expand_command(*language.profile.compile, flags, request.compile_limits.memory_kib);
    for (const auto& [name, value] : language.profile.env) spec.env.push_back(name + "=" + value);
    spec.limits = request.compile_limits;
    spec.profile = language.compile_security;
    spec.workdir = build_dir.string();
    spec.stdin_source = InputSource::empty();
    RunResult result = launcher.run(spec, cancel);
    if (record) record(spec.limits, result);
    return result;
}

}  // namespace

void add_artifacts(const PreparedProgram& program, RunSpec& spec) {
    // Copies take at most SmallArtifactCaps::max_bytes of the run's /box. The box
    // size stays as it is: it is part of the shape that pooled sandboxes are built for.
    spec.binds.insert(spec.binds.end(), program.binds.begin(), program.binds.end());
    spec.box_files.insert(spec.box_files.end(), program.files.begin(), program.files.end());
}

std::string cap_text(std::string text, std::uint64_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    text.resize(max_bytes);
    text += "\n[... cut at " + std::to_string(max_bytes) + " bytes]\n";
    return text;
}

std::vector<std::string> run_argv(const Language& language, std::uint64_t memory_kib,
                                  const std::vector<std::string>& args) {
    auto argv = expand_command(language.profile.run, {}, memory_kib);
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

PrepareOutcome prepare_program(const PrepareRequest& request, Launcher& launcher, CancelToken* cancel,
                               const CompileRecorder& record) {
    const Language& language = *request.language;
    PrepareOutcome outcome;
    if (language.profile.compile) {
        // Private: the launcher hands a workdir over to the sandbox's uid for the run.
        auto build = TempDir::create(request.job_dir, request.name + "-build-", 0700);
        if (!build) return internal("compile directory", build.error());
        if (auto written = write_files(build->path(), concat(request.sources, request.files), 0644); !written)
            return internal("writing the sources", written.error());
        RunResult compiled = run_compiler(request, build->path(), launcher, cancel, record);
        outcome.compile = compiled;
        outcome.compile_output =
            cap_text(compiled.stdout_data + compiled.stderr_data, request.max_compile_output_bytes);
        if (compiled.status != RunStatus::ok) {
            outcome.verdict = verdict_of_failed_compile(compiled);
            return outcome;
        }
        auto dir = make_artifacts_dir(request);
        if (!dir) return internal("artifact directory", dir.error());
        ArtifactCaps caps;
        caps.max_bytes = request.max_artifact_bytes;
        auto copied = copy_artifacts(build->path(), *dir, language.profile.artifacts, caps);
        if (!copied) {
            if (copied.error().kind != ErrorKind::input) return internal("copying the artifacts", copied.error());
            outcome.verdict = RunVerdict{Verdict::compilation_error, "", "Compilation error: " + copied.error().message};
            return outcome;
        }
        // The job's files as given, over anything compilation changed.
        if (auto written = write_files(*dir, request.files, 0644); !written)
            return internal("writing the job's files", written.error());
        outcome.program.artifacts_dir = *dir;
    } else {
        auto dir = make_artifacts_dir(request);
        if (!dir) return internal("artifact directory", dir.error());
        if (auto written = write_files(*dir, concat(request.sources, request.files), 0644); !written)
            return internal("writing the sources", written.error());
        outcome.program.artifacts_dir = *dir;
    }
    if (!launcher.rootless()) {
        auto copies = read_small_artifacts(outcome.program.artifacts_dir, SmallArtifactCaps{});
        if (!copies) return internal("reading the artifacts", copies.error());
        if (*copies) outcome.program.files = std::move(**copies);
    }
    if (outcome.program.files.empty()) {
        auto binds = artifact_binds(outcome.program.artifacts_dir);
        if (!binds) return internal("listing the artifacts", binds.error());
        outcome.program.binds = std::move(*binds);
    }
    outcome.program.language = &language;
    for (const auto& [name, value] : language.profile.env) outcome.program.env.push_back(name + "=" + value);
    outcome.verdict = RunVerdict{Verdict::accepted, "", ""};
    return outcome;
}

}  // namespace ringfence::judge
