// Per-run cost of a sandbox, as ratios to bare fork+exec measured in the same
// run (these machines are shared and noisy; only ratios travel).
//
//   sandbox_bench [--runs N] [--ringfence PATH]
//
// For `/bin/true` and `python3 -c 'print(1)'`, sequentially and with two
// parallel streams: bare fork+exec+wait, Ringfence through the library with
// its pool (what the service does), Ringfence building each sandbox on demand,
// the `ringfence run` CLI, and bubblewrap with equivalent isolation.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "ringfence/launcher.hpp"
#include "ringfence/profile.hpp"

using namespace ringfence;
using Clock = std::chrono::steady_clock;

namespace {

struct Stats {
    double median_ms = 0, p95_ms = 0;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return {};
    return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 95 / 100)]};
}

// Runs `once` `runs` times on each of `streams` threads; returns per-run latencies.
std::vector<double> measure(int runs, int streams, const std::function<bool()>& once) {
    std::vector<std::vector<double>> per(streams);
    std::vector<std::thread> threads;
    for (int s = 0; s < streams; ++s)
        threads.emplace_back([&, s] {
            for (int i = 0; i < runs; ++i) {
                auto t = Clock::now();
                if (!once()) {
                    std::fprintf(stderr, "a run failed\n");
                    std::exit(1);
                }
                per[s].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
            }
        });
    for (auto& t : threads) t.join();
    std::vector<double> all;
    for (auto& v : per) all.insert(all.end(), v.begin(), v.end());
    return all;
}

bool spawn_wait(const std::vector<std::string>& argv) {
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execv(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::vector<std::string> bwrap_argv(const std::vector<std::string>& program) {
    std::vector<std::string> a = {"/usr/bin/bwrap", "--unshare-all", "--die-with-parent", "--new-session",
                                  "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
                                  "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
                                  "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache", "--proc", "/proc",
                                  "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/box", "--chdir", "/box",
                                  "--cap-drop", "ALL", "--"};
    a.insert(a.end(), program.begin(), program.end());
    return a;
}

void print_row(const char* program, const char* mode, int streams, Stats s, Stats bare) {
    std::printf("%-22s %-28s %7d %9.3f %9.3f %8.2fx %8.2fx\n", program, mode, streams, s.median_ms, s.p95_ms,
                s.median_ms / bare.median_ms, s.p95_ms / bare.p95_ms);
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 200;
    std::string ringfence_bin = RINGFENCE_BINARY;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--ringfence")) ringfence_bin = argv[i + 1];
    }
    ProfileStore profiles;
    auto profile = profiles.security("default");
    if (!profile) {
        std::fprintf(stderr, "%s\n", profile.error().describe().c_str());
        return 1;
    }
    LauncherConfig pooled_config;
    pooled_config.pool_size = 4;
    auto pooled = Launcher::create(pooled_config);
    auto fresh = Launcher::create(LauncherConfig{});
    if (!pooled || !fresh) {
        std::fprintf(stderr, "cannot create a launcher: %s\n",
                     (!pooled ? pooled.error() : fresh.error()).describe().c_str());
        return 1;
    }
    const bool have_bwrap = access("/usr/bin/bwrap", X_OK) == 0;

    std::printf("runs per stream: %d; ratios are to bare fork+exec in the same row group\n\n", runs);
    std::printf("%-22s %-28s %7s %9s %9s %9s %9s\n", "program", "mode", "streams", "median_ms", "p95_ms",
                "x_median", "x_p95");
    struct Program {
        const char* label;
        std::vector<std::string> argv;
    };
    const Program programs[] = {{"/bin/true", {"/bin/true"}},
                                {"python3 print(1)", {"/usr/bin/python3", "-c", "print(1)"}}};
    for (const auto& program : programs) {
        RunSpec spec;
        spec.profile = *profile;
        spec.argv = program.argv;
        spec.env = {"PATH=/usr/bin:/bin"};
        spec.stdout_target = OutputTarget::discard();
        spec.stderr_target = OutputTarget::discard();
        auto ringfence_run = [&](Launcher& l, std::vector<std::uint64_t>* phases) {
            RunResult r = l.run(spec);
            if (phases) {
                phases[0].push_back(r.phases.handover_us);
                phases[1].push_back(r.phases.spawn_us);
                phases[2].push_back(r.phases.confine_us);
                phases[3].push_back(r.phases.run_us);
                phases[4].push_back(r.phases.teardown_us);
            }
            return r.status == RunStatus::ok;
        };
        std::vector<std::string> cli = {ringfence_bin, "run", "--"};
        cli.insert(cli.end(), program.argv.begin(), program.argv.end());
        pooled.value()->prewarm(spec);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));

        for (int streams : {1, 2}) {
            auto bare = stats(measure(runs, streams, [&] { return spawn_wait(program.argv); }));
            print_row(program.label, "bare fork+exec", streams, bare, bare);
            std::vector<std::uint64_t> phases[5];
            std::vector<std::uint64_t>* phase_sink = streams == 1 ? phases : nullptr;
            print_row(program.label, "ringfence (library, pool)", streams,
                      stats(measure(runs, streams, [&] { return ringfence_run(**pooled, phase_sink); })), bare);
            print_row(program.label, "ringfence (library, fresh)", streams,
                      stats(measure(runs, streams, [&] { return ringfence_run(**fresh, nullptr); })), bare);
            print_row(program.label, "ringfence run (CLI)", streams,
                      stats(measure(std::max(runs / 4, 10), streams, [&] { return spawn_wait(cli); })), bare);
            if (have_bwrap)
                print_row(program.label, "bwrap", streams,
                          stats(measure(std::max(runs / 4, 10), streams,
                                        [&] { return spawn_wait(bwrap_argv(program.argv)); })),
                          bare);
            if (streams == 1) {
                auto median_us = [](std::vector<std::uint64_t> v) {
                    std::sort(v.begin(), v.end());
                    return v.empty() ? 0.0 : static_cast<double>(v[v.size() / 2]);
                };
                std::printf("%-22s   pooled run phases (median us): handover %.0f, spawn %.0f, confine %.0f, "
                            "exec->end %.0f, teardown %.0f\n",
                            program.label, median_us(phases[0]), median_us(phases[1]), median_us(phases[2]),
                            median_us(phases[3]), median_us(phases[4]));
            }
        }
        std::printf("\n");
    }
    return 0;
}
