// What judging costs over doing the same work bare, measured in the same run
// (the machine is shared and noisy; only ratios travel).
//
//   judge_bench [--tests N] [--repeat R]
//
// Work: one C++ a+b submission with N tests (default 100), three ways, each
// sequentially and on two streams:
//   judged    Judge::run: compile in a sandbox, N fresh sandboxes, compare
//             (a launcher pool deep enough for the job; test concurrency 1 and 2)
//   launcher  the same compile and runs through Launcher::run directly: the
//             sandboxes alone, so the judge's own share can be told apart
//   bare      the profile's compile command and N fork+exec runs of the
//             binary, stdin from a file, stdout through a pipe, compared
// Prints the median over R repetitions and the ratios. Never asserts. Then the
// judged job again against the service's default pool (see service_job()).
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
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "language_profile.hpp"
#include "ringfence/judge.hpp"
#include "ringfence/launcher.hpp"
#include "service/config.hpp"

using namespace ringfence;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

const char* kSource = R"(#include <cstdio>
int main() { long long a, b; if (std::scanf("%lld %lld", &a, &b) != 2) return 1; std::printf("%lld\n", a + b); }
)";

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "judge_bench: %s\n", what.c_str());
    std::exit(1);
}

// fork+exec in `dir`, stdin from `stdin_path` (or /dev/null), stdout into `out`.
bool spawn(const std::vector<std::string>& argv, const std::string& dir, const std::string& stdin_path,
           std::string* out) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return false;
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        if (chdir(dir.c_str()) != 0) _exit(126);
        int in = open(stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(in, 0);
        dup2(out ? pipefd[1] : devnull, 1);
        dup2(devnull, 2);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(pipefd[1]);
    char buffer[4096];
    for (ssize_t n; (n = read(pipefd[0], buffer, sizeof buffer)) > 0;)
        if (out) out->append(buffer, static_cast<std::size_t>(n));
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct Inputs {
    std::vector<std::string> stdin_files, expected;
};

Inputs write_inputs(const std::string& dir, int tests) {
    Inputs inputs;
    for (int i = 0; i < tests; ++i) {
        std::string path = dir + "/in" + std::to_string(i);
        FILE* f = std::fopen(path.c_str(), "w");
        if (!f) die("cannot write " + path);
        std::fprintf(f, "%d %d\n", i, i + 1);
        std::fclose(f);
        inputs.stdin_files.push_back(path);
        inputs.expected.push_back(std::to_string(2 * i + 1) + "\n");
    }
    return inputs;
}

struct Timing {
    double total_ms = 0, compile_ms = 0;
};

// Where a judged test's time goes, averaged over the tests of one job (ms).
void print_phases(const JobResult& result) {
    double prepare = 0, start = 0, run = 0, teardown = 0, wall = 0;
    int pooled = 0;
    for (const auto& t : result.tests) {
        prepare += t.run.phases.prepare_us / 1000.0;
        start += t.run.phases.start_us / 1000.0;
        run += t.run.phases.run_us / 1000.0;
        teardown += t.run.phases.teardown_us / 1000.0;
        wall += t.run.wall_time_us / 1000.0;
        pooled += t.run.phases.from_pool;
    }
    double n = static_cast<double>(std::max<std::size_t>(1, result.tests.size()));
    std::printf("    per test: prepare %.2f, start %.2f, run %.2f, teardown %.2f, program wall %.2f; "
                "%d of %zu sandboxes from the pool\n",
                prepare / n, start / n, run / n, teardown / n, wall / n, pooled, result.tests.size());
}

Timing median(const std::vector<Timing>& v) {
    std::vector<double> total, compile;
    for (const auto& t : v) total.push_back(t.total_ms), compile.push_back(t.compile_ms);
    return {median(total), median(compile)};
}

// One bare compile and `tests` bare runs on `streams` threads.
// Runs `worker` on `streams` threads at once (this one included) and waits for all.
template <typename Worker>
void run_streams(int streams, Worker& worker) {
    std::vector<std::thread> threads;
    for (int s = 1; s < streams; ++s) threads.emplace_back([&] { worker(); });
    worker();
    for (auto& t : threads) t.join();
}

Timing bare(const judge::LanguageProfile& cpp, const Inputs& inputs, int streams) {
    std::string dir = (fs::temp_directory_path() / "rf-judge-bench-XXXXXX").string();
    if (!mkdtemp(dir.data())) die("mkdtemp");
    auto start = Clock::now();
    {
        FILE* f = std::fopen((dir + "/" + cpp.source_file).c_str(), "w");
        std::fputs(kSource, f);
        std::fclose(f);
    }
    auto command = judge::expand_command(*cpp.compile, cpp.default_flags, 0);
    if (!spawn(command, dir, "", nullptr)) die("bare compile failed");
    double compile_ms = ms_since(start);
    auto run = judge::expand_command(cpp.run, {}, 0);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> ok{true};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < inputs.stdin_files.size();) {
            std::string out;
            if (!spawn(run, dir, inputs.stdin_files[i], &out) || out != inputs.expected[i]) ok = false;
        }
    };
    run_streams(streams, worker);
    double elapsed = ms_since(start);
    fs::remove_all(dir);
    if (!ok) die("a bare run gave the wrong answer");
    return {elapsed, compile_ms};
}

// Runs bare() in a helper process forked before any launcher exists. Forked
// from this process, every bare fork+exec would also copy the fds and mappings
// the launcher's pool holds, and the baseline would look slower than it is.
class BareHelper {
public:
    BareHelper(const judge::LanguageProfile& cpp, const Inputs& inputs) {
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) die("socketpair");
        pid_ = fork();
        if (pid_ < 0) die("fork");
        if (pid_ == 0) {
            close(sp[0]);
            int streams = 0;
            while (read(sp[1], &streams, sizeof streams) == static_cast<ssize_t>(sizeof streams)) {
                Timing t = bare(cpp, inputs, streams);
                if (write(sp[1], &t, sizeof t) != static_cast<ssize_t>(sizeof t)) break;
            }
            _exit(0);
        }
        close(sp[1]);
        fd_ = sp[0];
    }
    ~BareHelper() {
        close(fd_);  // the helper leaves on EOF
        waitpid(pid_, nullptr, 0);
    }
    BareHelper(const BareHelper&) = delete;
    BareHelper& operator=(const BareHelper&) = delete;

    Timing run(int streams) {
        Timing t;
        if (write(fd_, &streams, sizeof streams) != static_cast<ssize_t>(sizeof streams) ||
            read(fd_, &t, sizeof t) != static_cast<ssize_t>(sizeof t))
            die("the bare helper failed");
        return t;
    }

private:
    pid_t pid_ = -1;
    int fd_ = -1;
};

// Waits until the pool has stopped changing (used sandboxes torn down, ready
// ones rebuilt): a pool refills once its runs pause, and would otherwise do
// it beside the next measurement.
void settle(const Launcher& launcher) {
    unsigned last = launcher.ready_sandboxes();
    for (int stable_ms = 0, waited_ms = 0; stable_ms < 500 && waited_ms < 120'000; waited_ms += 20) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const unsigned now = launcher.ready_sandboxes();
        stable_ms = now == last ? stable_ms + 20 : 0;
        last = now;
    }
}

// The same compile and runs straight through the launcher, without the judge:
// what the sandboxes alone cost, so the judge's own share can be told apart.
Timing launcher_only(Launcher& launcher, const judge::LanguageProfile& cpp,
                     const std::shared_ptr<const SecurityProfile>& profile, const Inputs& inputs, int streams) {
    std::string dir = (fs::temp_directory_path() / "rf-judge-bench-XXXXXX").string();
    if (!mkdtemp(dir.data())) die("mkdtemp");
    auto start = Clock::now();
    {
        FILE* f = std::fopen((dir + "/" + cpp.source_file).c_str(), "w");
        std::fputs(kSource, f);
        std::fclose(f);
    }
    std::vector<std::string> env;
    for (const auto& [name, value] : cpp.env) env.push_back(name + "=" + value);
    RunSpec compile;
    compile.argv = judge::expand_command(*cpp.compile, cpp.default_flags, 0);
    compile.env = env;
    compile.profile = profile;
    compile.workdir = dir;
    compile.limits = judge::to_limits(cpp.compile_limits.defaults);
    if (launcher.run(compile).status != RunStatus::ok) die("sandboxed compile failed");
    double compile_ms = ms_since(start);
    RunSpec run;
    run.argv = judge::expand_command(cpp.run, {}, 0);
    run.env = env;
    run.profile = profile;
    run.limits = judge::to_limits(cpp.run_limits.defaults);
    run.binds = {BindMount{dir + "/main", "/box/main", false}};
    launcher.prewarm(run);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> ok{true};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < inputs.expected.size();) {
            RunSpec one = run;
            one.stdin_source = InputSource::file(inputs.stdin_files[i]);
            RunResult r = launcher.run(one);
            if (r.status != RunStatus::ok || r.stdout_data != inputs.expected[i]) ok = false;
        }
    };
    run_streams(streams, worker);
    double elapsed = ms_since(start);
    fs::remove_all(dir);
    if (!ok) die("a sandboxed run gave the wrong answer");
    return {elapsed, compile_ms};
}

Timing judged(Judge& judge, const Job& job, int tests, bool show_phases = false) {
    auto start = Clock::now();
    JobResult result = judge.run(job, {});
    if (show_phases) print_phases(result);
    double elapsed = ms_since(start);
    if (result.verdict != Verdict::accepted || static_cast<int>(result.tests.size()) != tests)
        die(std::string("the judged job was not accepted: ") + to_string(result.verdict) + " " + result.message +
            " " + result.internal_error);
    return {elapsed, result.compile ? result.compile->wall_time_us / 1000.0 : 0};
}

std::unique_ptr<Judge> cpp_judge(Launcher& launcher, ProfileStore& profiles, unsigned concurrency) {
    JudgeConfig config;
    config.test_concurrency = concurrency;
    config.only_languages = {"cpp17"};
    auto judge = Judge::create(config, launcher, profiles);
    if (!judge) die("Judge::create: " + judge.error().describe());
    return std::move(*judge);
}

// The service's pool as it is configured by default (16 ready per language,
// up to `pool_max` while big jobs come), in the state a busy judge's job finds
// it: a job of the same language and size ran a moment ago, and the pool has
// refilled since. A new launcher per measurement, warmed by that first job.
struct ServiceTiming {
    double total_ms = 0;
    int from_pool = 0;
};
constexpr unsigned kServicePoolSize = server::kDefaultPoolSize;
constexpr unsigned kServicePoolMax = server::kDefaultPoolMax;
ServiceTiming service_job(ProfileStore& profiles, const Job& job, unsigned concurrency, unsigned pool_max) {
    LauncherConfig config;
    config.pool_size = kServicePoolSize;
    config.pool_max = pool_max;
    auto launcher = Launcher::create(config);
    if (!launcher) die("Launcher::create: " + launcher.error().describe());
    auto judge = cpp_judge(**launcher, profiles, concurrency);
    auto normalized = judge->normalize(job);
    if (!normalized) die("the job did not normalize");
    judge->run(*normalized, {});
    settle(**launcher);
    auto start = Clock::now();
    JobResult result = judge->run(*normalized, {});
    ServiceTiming timing{ms_since(start), 0};
    if (result.verdict != Verdict::accepted) die("the judged job was not accepted: " + result.message);
    for (const auto& t : result.tests) timing.from_pool += t.run.phases.from_pool;
    return timing;
}

}  // namespace

int main(int argc, char** argv) {
    int tests = 100, repeat = 3;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--tests" && i + 1 < argc) tests = std::max(1, std::atoi(argv[++i]));
        else if (arg == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
        else die("usage: judge_bench [--tests N] [--repeat R]");
    }
    ProfileStore profiles(std::string(RINGFENCE_SOURCE_DIR) + "/profiles");
    auto text = profiles.read_text("languages/cpp17.json");
    if (!text) die(text.error().describe());
    auto cpp = judge::parse_language_profile(*text, "cpp17");
    if (!cpp || !cpp->compile) die("cpp17 profile: " + (cpp ? std::string("not compiled") : cpp.error().message));

    std::string inputs_dir = (fs::temp_directory_path() / "rf-judge-bench-in-XXXXXX").string();
    if (!mkdtemp(inputs_dir.data())) die("mkdtemp");
    Inputs inputs = write_inputs(inputs_dir, tests);
    BareHelper bare_helper(*cpp, inputs);

    LauncherConfig launcher_config;
    // Deep enough for the whole job with the reserve to spare: the service's
    // `launcher.pool_size` (16 by default, enough for 12 tests undisturbed) is what this models.
    launcher_config.pool_size = static_cast<unsigned>(tests) * 4 / 3 + 4;
    auto launcher = Launcher::create(launcher_config);
    if (!launcher) die("Launcher::create: " + launcher.error().describe());

    Job job;
    job.language = "cpp17";
    job.sources = {SourceFile{"", kSource}};
    for (int i = 0; i < tests; ++i)
        job.tests.push_back(TestCase{std::to_string(i) + " " + std::to_string(i + 1) + "\n",
                                     std::to_string(2 * i + 1) + "\n", {}});

    std::printf("judge_bench: one C++ a+b submission, %d tests, median of %d (ms); target judged/bare <= 1.2x\n",
                tests, repeat);
    auto profile = profiles.security(cpp->sandbox.profile);
    if (!profile) die(profile.error().describe());
    std::printf("%-22s %22s %22s %22s %8s %8s\n", "", "judged total (compile)", "launcher (compile)",
                "bare total (compile)", "j/bare", "j/launch");
    for (unsigned concurrency : {1u, 2u}) {
        auto judge = cpp_judge(**launcher, profiles, concurrency);
        auto normalized = judge->normalize(job);
        if (!normalized) die(normalized.error().message);
        judged(*judge, *normalized, tests);  // warm-up: page cache, pool
        std::vector<Timing> j, l, b;
        for (int r = 0; r < repeat; ++r) {
            settle(**launcher);
            j.push_back(judged(*judge, *normalized, tests, r == repeat - 1));
            settle(**launcher);
            l.push_back(launcher_only(**launcher, *cpp, *profile, inputs, static_cast<int>(concurrency)));
            settle(**launcher);
            b.push_back(bare_helper.run(static_cast<int>(concurrency)));
        }
        Timing jm = median(j), lm = median(l), bm = median(b);
        std::printf("%d tests, %u stream%s %14.1f (%6.1f) %14.1f (%6.1f) %14.1f (%6.1f) %7.2fx %7.2fx\n", tests,
                    concurrency, concurrency > 1 ? "s" : " ", jm.total_ms, jm.compile_ms, lm.total_ms,
                    lm.compile_ms, bm.total_ms, bm.compile_ms, jm.total_ms / bm.total_ms,
                    jm.total_ms / lm.total_ms);
        // The same job against the service's default pool, with and without the
        // job-sized depth (launcher.pool_max) built while the compiler runs.
        for (unsigned pool_max : {kServicePoolMax, 0u}) {
            std::vector<double> total, pooled;
            for (int r = 0; r < repeat; ++r) {
                ServiceTiming t = service_job(profiles, job, concurrency, pool_max);
                total.push_back(t.total_ms);
                pooled.push_back(t.from_pool);
            }
            const double ms = median(total);
            const std::string depth = pool_max ? "up to " + std::to_string(pool_max) + " for big jobs):" : "no more):";
            std::printf("    service pool (%u, %-22s judged %7.1f ms, %5.2fx bare; %3.0f of %d tests from the pool\n",
                        kServicePoolSize, depth.c_str(), ms, ms / bm.total_ms, median(pooled), tests);
        }
    }
    fs::remove_all(inputs_dir);
    return 0;
}
