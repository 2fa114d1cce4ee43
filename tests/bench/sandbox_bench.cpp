// Per-run cost of a sandbox, as ratios to bare fork+exec measured in the same
// run (these machines are shared and noisy; only ratios travel).
//
//   sandbox_bench [--runs N] [--ringfence PATH]
//
// For `/bin/true` and `python3 -c 'print(1)'`, sequentially and with two
// parallel streams: bare fork+exec+wait; Ringfence through the library with
// its pool, once as a burst the pool holds (filled before, so nothing is built
// or torn down beside the runs) and once sustained (a pool of 4 refilled
// beside the runs, which is what a steady stream longer than the pool gets);
// Ringfence building each sandbox on demand; the `ringfence run` CLI; and
// bubblewrap with equivalent isolation.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
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

// Moves all `size` bytes with read() or write() (`io`), or reports that it could not.
template <typename Byte, typename Io>
bool transfer_fully(Io io, int fd, Byte* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = io(fd, data, size);
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}
bool read_fully(int fd, void* data, std::size_t size) {
    return transfer_fully(::read, fd, static_cast<char*>(data), size);
}
bool write_fully(int fd, const void* data, std::size_t size) {
    return transfer_fully(::write, fd, static_cast<const char*>(data), size);
}

// Times plain programs (bare fork+exec, bwrap, the CLI) from a process forked
// before any launcher exists. Forked from the bench itself they would pay for
// copying what the launchers hold, thousands of fds for a large pool among
// it, and the baseline would look slower than a judge's fork+exec is.
class CleanSpawner {
public:
    bool start() {
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) return false;
        pid_ = fork();
        if (pid_ < 0) return false;
        if (pid_ == 0) {
            close(sp[0]);
            serve(sp[1]);
            _exit(0);
        }
        close(sp[1]);
        fd_ = sp[0];
        return true;
    }
    ~CleanSpawner() {
        if (fd_ >= 0) close(fd_);  // the helper leaves on EOF
        if (pid_ > 0) waitpid(pid_, nullptr, 0);
    }

    std::vector<double> measure(int runs, int streams, const std::vector<std::string>& argv) {
        std::string joined;
        for (const auto& a : argv) joined.append(a).push_back('\0');
        const std::uint32_t header[3] = {static_cast<std::uint32_t>(runs), static_cast<std::uint32_t>(streams),
                                         static_cast<std::uint32_t>(joined.size())};
        std::uint32_t count = 0;
        if (!write_fully(fd_, header, sizeof(header)) || !write_fully(fd_, joined.data(), joined.size()) ||
            !read_fully(fd_, &count, sizeof(count)) || count == 0) {
            std::fprintf(stderr, "the spawner helper failed running %s\n", argv[0].c_str());
            std::exit(1);
        }
        std::vector<double> latencies(count);
        if (!read_fully(fd_, latencies.data(), count * sizeof(double))) std::exit(1);
        return latencies;
    }

private:
    static void serve(int fd) {
        std::uint32_t header[3];
        while (read_fully(fd, header, sizeof(header))) {
            std::string joined(header[2], '\0');
            if (!read_fully(fd, joined.data(), joined.size())) return;
            std::vector<std::string> argv;
            for (std::size_t at = 0; at < joined.size();) {
                std::size_t end = joined.find('\0', at);
                argv.push_back(joined.substr(at, end - at));
                at = end + 1;
            }
            auto latencies = ::measure(static_cast<int>(header[0]), static_cast<int>(header[1]),
                                       [&] { return spawn_wait(argv); });
            const auto count = static_cast<std::uint32_t>(latencies.size());
            if (!write_fully(fd, &count, sizeof(count)) ||
                !write_fully(fd, latencies.data(), latencies.size() * sizeof(double)))
                return;
        }
    }

    pid_t pid_ = -1;
    int fd_ = -1;
};

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
    CleanSpawner spawner;
    if (!spawner.start()) {
        std::perror("starting the spawner helper");
        return 1;
    }
    ProfileStore profiles;
    auto profile = profiles.security("default");
    if (!profile) {
        std::fprintf(stderr, "%s\n", profile.error().describe().c_str());
        return 1;
    }
    LauncherConfig sustained_config;
    sustained_config.pool_size = 4;
    auto sustained = Launcher::create(sustained_config);
    auto fresh = Launcher::create(LauncherConfig{});
    for (auto* created : {&sustained, &fresh})
        if (!*created) {
            std::fprintf(stderr, "cannot create a launcher: %s\n", created->error().describe().c_str());
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
        std::atomic<int> from_pool{0};
        auto ringfence_run = [&](Launcher& l, std::vector<std::uint64_t>* phases) {
            RunResult r = l.run(spec);
            from_pool += r.phases.from_pool;
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
        auto fill = [&](Launcher& l, unsigned size) {
            l.prewarm(spec);
            for (int waited_ms = 0; l.ready_sandboxes() < size && waited_ms < 120'000; waited_ms += 20)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        };
        // The sustained pool full, so that no refill runs beside any other
        // measurement (a pool refills as soon as its own runs pause).
        auto settle = [&] { fill(**sustained, sustained_config.pool_size); };
        auto pooled_row = [&](const char* mode, Launcher& l, int streams, const Stats& bare,
                              std::vector<std::uint64_t>* phases) {
            from_pool = 0;
            print_row(program.label, mode, streams, stats(measure(runs, streams, [&] { return ringfence_run(l, phases); })),
                      bare);
            std::printf("%-22s   served from the pool: %d of %d\n", program.label, from_pool.load(), runs * streams);
        };

        for (int streams : {1, 2}) {
            settle();
            auto bare = stats(spawner.measure(runs, streams, program.argv));
            print_row(program.label, "bare fork+exec", streams, bare, bare);
            std::vector<std::uint64_t> phases[5];
            std::vector<std::uint64_t>* phase_sink = streams == 1 ? phases : nullptr;
            {
                // Holds the burst with its reserve (a quarter) to spare. It lives only
                // for its row: hundreds of live sandboxes (tens of thousands of
                // mounts, a thousand cgroups) slow every other sandbox on the host.
                LauncherConfig burst_config;
                burst_config.pool_size = static_cast<unsigned>(runs * streams) * 4 / 3 + 4;
                auto burst = Launcher::create(burst_config);
                if (!burst) {
                    std::fprintf(stderr, "cannot create a launcher: %s\n", burst.error().describe().c_str());
                    return 1;
                }
                settle();
                fill(**burst, burst_config.pool_size);
                pooled_row("ringfence (pool, burst)", **burst, streams, bare, phase_sink);
            }
            settle();
            pooled_row("ringfence (pool, sustained)", **sustained, streams, bare, nullptr);
            settle();
            print_row(program.label, "ringfence (library, fresh)", streams,
                      stats(measure(runs, streams, [&] { return ringfence_run(**fresh, nullptr); })), bare);
            settle();
            print_row(program.label, "ringfence run (CLI)", streams,
                      stats(spawner.measure(std::max(runs / 4, 10), streams, cli)), bare);
            settle();
            if (have_bwrap)
                print_row(program.label, "bwrap", streams,
                          stats(spawner.measure(std::max(runs / 4, 10), streams, bwrap_argv(program.argv))), bare);
            if (streams == 1) {
                auto median_us = [](std::vector<std::uint64_t> v) {
                    std::sort(v.begin(), v.end());
                    return v.empty() ? 0.0 : static_cast<double>(v[v.size() / 2]);
                };
                std::printf("%-22s   pooled run phases, burst (median us): handover %.0f, spawn %.0f, confine %.0f, "
                            "exec->end %.0f, teardown %.0f\n",
                            program.label, median_us(phases[0]), median_us(phases[1]), median_us(phases[2]),
                            median_us(phases[3]), median_us(phases[4]));
            }
        }
        std::printf("\n");
    }
    return 0;
}
