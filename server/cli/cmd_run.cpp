// `ringfence run [options] -- PROGRAM [ARGS...]`: one program, one fresh sandbox.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "host/cli.hpp"
#include "ringfence/launcher.hpp"
#include "ringfence/profile.hpp"

namespace ringfence::cli {
namespace {

constexpr const char* kUsage = R"(usage: ringfence run [OPTIONS] -- PROGRAM [ARGS...]

Runs PROGRAM once in a fresh sandbox. Its stdout and stderr pass through to
ours, each cut at the output limit. Exit status: 0 when the sandbox ran
(whatever the program did; see --result), 2 for bad options, 3 when the
sandbox could not be set up.

Limits:
  --cpu-time SECONDS     CPU time of all processes and threads (decimal, default 10)
  --wall-time SECONDS    wall-clock time (decimal, default 20)
  --memory MIB           memory of the whole run, swap disabled (default 512)
  --processes N          processes + threads alive at once (default 64)
  --output BYTES         per stream (default 16777216)
  --file-size BYTES      largest file the program may write (default 67108864)
  --open-files N         (default 256)
  --stack MIB            (default: the memory limit)
  --box-size MIB         size of the /box and /tmp tmpfs (default 64)
Files and environment:
  --stdin FILE           program's stdin (default: empty)
  --bind-ro HOST[:INSIDE]  read-only bind mount, repeatable
  --workdir HOST_DIR     mounted read-write as /box (default: a fresh tmpfs)
  --cwd DIR              working directory inside (default /box)
  --env NAME=VALUE       repeatable; nothing of our environment enters
                         (PATH and HOME=/box are set unless given)
Security:
  --profile NAME         security profile from profiles/sandbox (default "default")
  --network              share the host network (only profiles that allow it)
  --profiles-dir DIR     read profiles from DIR before the built-in ones
Host set-up:
  --uid-base N --uid-count N   host ids for sandboxes when run as root
  --cgroup-root PATH     the cgroup subtree Ringfence may use
  --allow-rlimit-only    run without cgroups (degraded: rlimits and rusage only)
Output:
  --result FILE          write the result JSON to FILE ("-" for stdout)
)";

int usage_error(const std::string& message) {
    std::fprintf(stderr, "ringfence run: %s\n(see ringfence run --help)\n", message.c_str());
    return 2;
}

std::optional<double> parse_decimal(const char* text) {
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(text, &end);
    if (errno || end == text || *end || !std::isfinite(v) || v < 0) return std::nullopt;
    return v;
}

std::optional<std::uint64_t> parse_count(const char* text) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-') return std::nullopt;
    return v;
}

bool has_env(const std::vector<std::string>& env, std::string_view name) {
    for (const auto& e : env)
        if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') return true;
    return false;
}

}  // namespace

int cmd_run(int argc, char** argv) {
    RunSpec spec;
    LauncherConfig config;
    std::string profile_name = "default";
    std::string profiles_dir;
    std::string result_path;
    if (const char* dir = std::getenv("RINGFENCE_PROFILES_DIR")) profiles_dir = dir;

    vm::VmCliOptions vm_options;
    int i = 1;
    for (; i < argc; ++i) {
        std::string_view opt = argv[i];
        if (opt == "--") {
            ++i;
            break;
        }
        if (opt == "--help" || opt == "-h") {
            std::fputs(kUsage, stdout);
            std::fputs(vm::kVmOptionsHelp, stdout);
            return 0;
        }
        std::string vm_error;
        if (int used = vm::parse_vm_option(vm_options, argc, argv, i, vm_error)) {
            if (used < 0) return usage_error(vm_error);
            i += used - 1;
            continue;
        }
        if (opt == "--network") {
            spec.network = true;
            continue;
        }
        if (opt == "--allow-rlimit-only") {
            config.allow_rlimit_only = true;
            continue;
        }
        if (i + 1 >= argc) return usage_error("option " + std::string(opt) + " needs a value");
        const char* value = argv[++i];
        auto seconds_ms = [&](std::uint64_t& out) {
            auto v = parse_decimal(value);
            if (!v || *v <= 0 || *v > 86400) return false;
            out = static_cast<std::uint64_t>(std::llround(*v * 1000));
            return out > 0;
        };
        auto count = [&](auto& out, std::uint64_t min) {
            auto v = parse_count(value);
            if (!v || *v < min) return false;
            out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
            return static_cast<std::uint64_t>(out) == *v;
        };
        bool ok = true;
        if (opt == "--cpu-time") ok = seconds_ms(spec.limits.cpu_time_ms);
        else if (opt == "--wall-time") ok = seconds_ms(spec.limits.wall_time_ms);
        else if (opt == "--memory") {
            std::uint64_t mib = 0;
            ok = count(mib, 1) && mib <= (1u << 20);
            spec.limits.memory_kib = mib * 1024;
        } else if (opt == "--processes") ok = count(spec.limits.processes, 1);
        else if (opt == "--output") ok = count(spec.limits.output_bytes, 0);
        else if (opt == "--file-size") ok = count(spec.limits.file_size_bytes, 0);
        else if (opt == "--open-files") ok = count(spec.limits.open_files, 4);
        else if (opt == "--stack") {
            std::uint64_t mib = 0;
            ok = count(mib, 1);
            spec.limits.stack_kib = mib * 1024;
        } else if (opt == "--box-size") {
            std::uint64_t mib = 0;
            ok = count(mib, 1);
            spec.limits.box_size_kib = mib * 1024;
        } else if (opt == "--stdin") spec.stdin_source = InputSource::file(value);
        else if (opt == "--bind-ro") {
            std::string v = value;
            auto colon = v.find(':');
            BindMount b;
            b.host_path = v.substr(0, colon);
            b.inside_path = colon == std::string::npos ? b.host_path : v.substr(colon + 1);
            if (b.host_path.empty() || b.inside_path.empty()) ok = false;
            spec.binds.push_back(std::move(b));
        } else if (opt == "--workdir") spec.workdir = std::string(value);
        else if (opt == "--cwd") spec.cwd = value;
        else if (opt == "--env") {
            std::string v = value;
            ok = v.find('=') != std::string::npos && v[0] != '=';
            spec.env.push_back(std::move(v));
        } else if (opt == "--profile") profile_name = value;
        else if (opt == "--profiles-dir") profiles_dir = value;
        else if (opt == "--result") result_path = value;
        else if (opt == "--uid-base") ok = count(config.uid_base, 1);
        else if (opt == "--uid-count") ok = count(config.uid_count, 2);
        else if (opt == "--cgroup-root") config.cgroup_root = value;
        else return usage_error("unknown option " + std::string(opt));
        if (!ok) return usage_error("invalid value '" + std::string(value) + "' for " + std::string(opt));
    }
    for (; i < argc; ++i) spec.argv.emplace_back(argv[i]);
    if (spec.argv.empty()) return usage_error("no program given (put it after --)");
    if (!has_env(spec.env, "PATH")) spec.env.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
    if (!has_env(spec.env, "HOME")) spec.env.push_back("HOME=/box");

    ProfileStore profiles(profiles_dir);
    auto profile = profiles.security(profile_name);
    if (!profile) return usage_error(profile.error().describe());
    spec.profile = *profile;
    if (spec.network && !spec.profile->network_allowed)
        return usage_error("profile '" + profile_name + "' does not allow --network");
    if (auto why = validate(spec.limits); !why.empty()) return usage_error(why);

    spec.stdout_target = OutputTarget::forward(STDOUT_FILENO);
    spec.stderr_target = OutputTarget::forward(STDERR_FILENO);
    if (vm_options.enabled) return vm::run_command_in_vm(spec, vm_options, result_path);

    auto launcher = Launcher::create(config);
    if (!launcher) {
        std::fprintf(stderr, "ringfence run: cannot set up sandboxes: %s\n(`ringfence check` shows what this host lacks)\n",
                     launcher.error().describe().c_str());
        return 3;
    }
    RunResult result = (*launcher)->run(spec);
    if (!result_path.empty() && !write_result_json(result_path, to_json(result))) {
        std::fprintf(stderr, "ringfence run: cannot write %s\n", result_path.c_str());
        return 3;
    }
    if (result.status == RunStatus::setup_error) {
        std::fprintf(stderr, "ringfence run: sandbox setup failed: %s\n", result.error.c_str());
        return 3;
    }
    return 0;
}

}  // namespace ringfence::cli
