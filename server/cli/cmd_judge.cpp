// `ringfence judge [--profiles-dir DIR] [--concurrency N] JOB.json`: judges one
// job (JSON schema: server/judge/JOB_SCHEMA.md) and prints the result JSON.
// Exit status: 0 when the job was judged (whatever the verdict), 1 when the
// sandbox or judge could not be set up, 2 for bad usage or a bad job.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "host/cli.hpp"
#include "ringfence/judge.hpp"
#include "ringfence/launcher.hpp"
#include "service/config.hpp"

namespace ringfence::cli {
namespace {

constexpr const char* kUsage =
    "usage: ringfence judge [--profiles-dir DIR] [--concurrency N] JOB.json\n"
    "       ringfence judge [--profiles-dir DIR] --languages\n"
    "\n"
    "Compiles the job's submission once, runs every test in a fresh sandbox and\n"
    "prints the result as JSON. JOB.json may be '-' for standard input.\n"
    "  --profiles-dir DIR  profiles directory (default: $RINGFENCE_PROFILES_DIR, else built in)\n"
    "  --concurrency N     tests run in parallel (default 2)\n"
    "  --languages         list the languages, their versions and availability as JSON\n";

bool read_all(const std::string& path, std::string& out) {
    std::ostringstream buffer;
    if (path == "-") {
        buffer << std::cin.rdbuf();
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in) return false;
        buffer << in.rdbuf();
    }
    out = buffer.str();
    return true;
}

std::string languages_json(const Judge& judge) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& info : judge.languages())
        list.push_back({{"id", info.id},
                        {"name", info.name},
                        {"version", info.version},
                        {"available", info.available},
                        {"unavailable_reason", info.unavailable_reason},
                        {"compiled", info.compiled}});
    return list.dump(2);
}

}  // namespace

int cmd_judge(int argc, char** argv) {
    std::string profiles_dir;
    if (const char* env = std::getenv("RINGFENCE_PROFILES_DIR")) profiles_dir = env;
    JudgeConfig config;
    bool list_languages = false;
    std::string job_path;
    vm::VmCliOptions vm_options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string vm_error;
        if (int used = vm::parse_vm_option(vm_options, argc, argv, i, vm_error)) {
            if (used < 0) {
                std::fprintf(stderr, "ringfence judge: %s\n", vm_error.c_str());
                return 2;
            }
            i += used - 1;
            continue;
        }
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            std::fputs(vm::kVmOptionsHelp, stdout);
            return 0;
        } else if (arg == "--profiles-dir" && i + 1 < argc) {
            profiles_dir = argv[++i];
        } else if (arg == "--concurrency" && i + 1 < argc) {
            char* end = nullptr;
            unsigned long n = std::strtoul(argv[++i], &end, 10);
            if (!end || *end || n == 0 || n > 256) {
                std::fprintf(stderr, "ringfence judge: --concurrency takes a number from 1 to 256\n");
                return 2;
            }
            config.test_concurrency = static_cast<unsigned>(n);
        } else if (arg == "--languages") {
            list_languages = true;
        } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
            std::fprintf(stderr, "ringfence judge: unknown or incomplete option %s\n%s", arg.c_str(), kUsage);
            return 2;
        } else if (job_path.empty()) {
            job_path = arg;
        } else {
            std::fprintf(stderr, "ringfence judge: one job file only\n%s", kUsage);
            return 2;
        }
    }
    if (job_path.empty() && !list_languages) {
        std::fputs(kUsage, stderr);
        return 2;
    }

    Job job;
    if (!list_languages) {
        std::string text;
        if (!read_all(job_path, text)) {
            std::fprintf(stderr, "ringfence judge: cannot read %s: %s\n", job_path.c_str(), std::strerror(errno));
            return 2;
        }
        auto parsed = parse_job_json(text);
        if (!parsed) {
            std::fprintf(stderr, "ringfence judge: %s\n", parsed.error().message.c_str());
            return 2;
        }
        job = std::move(*parsed);
        if (vm_options.enabled) return vm::judge_command_in_vm(job, vm_options);
    }

    if (!list_languages) {
        // Probe only the toolchains this job needs: start-up stays short.
        config.only_languages.push_back(job.language);
        if (job.checker) config.only_languages.push_back(job.checker->language);
        if (job.interactor) config.only_languages.push_back(job.interactor->language);
    }
    // One job: a pool as deep as its tests (the judge asks for that many), so
    // their sandboxes are built while the compiler runs and beside the tests on
    // another core, instead of each on the test's own path. No deeper than the
    // service's default: hundreds of ready sandboxes cost memory and processes
    // and slow every other sandbox on the host.
    LauncherConfig launcher_config;
    launcher_config.pool_size = 1;
    launcher_config.pool_max =
        static_cast<unsigned>(std::min<std::size_t>(job.tests.size(), server::kDefaultPoolMax));
    auto launcher = Launcher::create(launcher_config);
    if (!launcher) {
        std::fprintf(stderr, "ringfence judge: cannot set up the sandbox: %s\n", launcher.error().describe().c_str());
        return 1;
    }
    ProfileStore profiles(profiles_dir);
    auto judge = Judge::create(config, **launcher, profiles);
    if (!judge) {
        std::fprintf(stderr, "ringfence judge: %s\n", judge.error().describe().c_str());
        return 1;
    }
    if (list_languages) {
        std::printf("%s\n", languages_json(**judge).c_str());
        return 0;
    }
    auto normalized = (*judge)->normalize(std::move(job));
    if (!normalized) {
        std::fprintf(stderr, "ringfence judge: %s\n", normalized.error().message.c_str());
        return 2;
    }
    JobResult result = (*judge)->run(*normalized, JudgeContext{});
    std::printf("%s\n", to_json(result).c_str());
    return 0;
}

}  // namespace ringfence::cli
