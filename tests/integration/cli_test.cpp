// `ringfence run` as other tools drive it: options, pass-through, exit codes,
// the result file, and failing closed without cgroups.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cgroup.hpp"
#include "sandbox_fixture.hpp"

using namespace ringfence::test;

namespace {

struct Outcome {
    int exit_code = -1;
    std::string out, err;
};

Outcome ringfence_run(std::vector<std::string> args) {
    args.insert(args.begin(), {ringfence_binary(), "run"});
    int out[2], err[2];
    REQUIRE(pipe(out) == 0);
    REQUIRE(pipe(err) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    Outcome o;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    for (int open = 2; open > 0;) {
        poll(fds, 2, -1);
        for (int i = 0; i < 2; ++i) {
            if (!fds[i].revents) continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof(buf));
            if (n <= 0) {
                fds[i].fd = -1;
                --open;
            } else {
                (i == 0 ? o.out : o.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    close(out[0]);
    close(err[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return o;
}

nlohmann::json read_json(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("ringfence run passes output through and writes the result JSON") {
    std::string dir = temp_dir("cli");
    std::string result = dir + "/result.json";
    auto o = ringfence_run({"--result", result, "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
    CHECK(o.exit_code == 0);  // the sandbox ran; the program's own failure is in the result
    CHECK(o.out == "out\n");
    CHECK(o.err == "err\n");
    auto j = read_json(result);
    CHECK(j["status"] == "nonzero_exit");
    CHECK(j["exit_code"] == 3);
    for (const char* key : {"signal", "signal_name", "cpu_time_ms", "wall_time_ms", "memory_kib", "violation",
                            "stdout_truncated", "stderr_truncated", "measured_by"})
        CHECK(j.contains(key));
    std::filesystem::remove_all(dir);
}

TEST_CASE("ringfence run honours --output, --stdin and --env, and nothing else enters") {
    auto cut = ringfence_run({"--output", "5", "--result", "-", "--", "/bin/echo", "helloworld"});
    CHECK(cut.exit_code == 0);
    CHECK(cut.out.rfind("hello{", 0) == 0);  // five bytes, then the JSON on the same stdout
    auto j = nlohmann::json::parse(cut.out.substr(5));
    CHECK(j["status"] == "output_limit");
    CHECK(j["stdout_truncated"] == true);

    std::string dir = temp_dir("cli-stdin");
    { std::ofstream(dir + "/in.txt") << "from a file\n"; }
    auto in = ringfence_run({"--stdin", dir + "/in.txt", "--", "/bin/cat"});
    CHECK(in.out == "from a file\n");

    setenv("RINGFENCE_SHOULD_NOT_LEAK", "1", 1);
    auto env = ringfence_run({"--env", "A=b", "--", "/usr/bin/env"});
    CHECK(env.out == "A=b\nPATH=/usr/local/bin:/usr/bin:/bin\nHOME=/box\n");
    unsetenv("RINGFENCE_SHOULD_NOT_LEAK");
    std::filesystem::remove_all(dir);
}

TEST_CASE("ringfence run rejects bad options with exit status 2") {
    for (std::vector<std::string> bad : {std::vector<std::string>{"--cpu-time", "abc", "--", "/bin/true"},
                                         {"--memory", "-5", "--", "/bin/true"},
                                         {"--bogus", "--", "/bin/true"},
                                         {"--profile", "no-such-profile", "--", "/bin/true"},
                                         {"--network", "--", "/bin/true"},
                                         {"--env", "NOEQUALS", "--", "/bin/true"},
                                         {"--cpu-time", "1"}}) {
        auto o = ringfence_run(bad);
        CAPTURE(bad[0]);
        CHECK(o.exit_code == 2);
        CHECK(o.err.find("ringfence run:") != std::string::npos);
    }
}

TEST_CASE("without usable cgroups runs fail closed unless a degraded mode is allowed") {
    // A v2 directory that is not under the cgroup2 mount: unusable on any host.
    const std::string bogus = "/nonexistent/ringfence-cgroup";
    auto closed = ringfence_run({"--cgroup-root", bogus, "--", "/bin/true"});
    CHECK(closed.exit_code == 3);
    CHECK(closed.err.find("allow_rlimit_only") != std::string::npos);

    auto degraded = ringfence_run({"--cgroup-root", bogus, "--allow-rlimit-only", "--result", "-", "--",
                                   "/bin/sh", "-c", "true"});
    CHECK(degraded.exit_code == 0);
    auto j = nlohmann::json::parse(degraded.out);
    CHECK(j["status"] == "ok");
    CHECK(j["measured_by"] == "rusage");
}

TEST_CASE("a setup failure exits 3 with a clear message") {
    auto o = ringfence_run({"--workdir", "/nonexistent/dir", "--", "/bin/true"});
    CHECK(o.exit_code == 3);
    CHECK(o.err.find("/nonexistent/dir") != std::string::npos);
    auto missing = ringfence_run({"--", "/no/such/program"});
    CHECK(missing.exit_code == 3);
    CHECK(missing.err.find("executing the program") != std::string::npos);
}

namespace {

bool process_running(const std::string& cmdline) {
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(e.path() / "cmdline", std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        if (text == cmdline) return true;
    }
    return false;
}

bool wait_until(const std::function<bool()>& done) {
    for (int i = 0; i < 1000; ++i) {
        if (done()) return true;
        usleep(10'000);
    }
    return false;
}

// Starts `ringfence run --wall-time 60 ARGS...` (output discarded), waits until
// a process with `program_cmdline` runs, and kills the CLI with SIGKILL: no
// teardown of its own. Returns the CLI's pid, reaped.
pid_t run_then_kill(const std::vector<std::string>& args, const std::string& program_cmdline) {
    std::vector<std::string> full = {ringfence_binary(), "run", "--wall-time", "60"};
    full.insert(full.end(), args.begin(), args.end());
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 1);
        dup2(devnull, 2);
        std::vector<char*> argv;
        for (auto& a : full) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    const bool started = wait_until([&] { return process_running(program_cmdline); });
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    REQUIRE(started);
    return pid;
}

}  // namespace

TEST_CASE("a killed ringfence run takes its sandbox along") {
    // The program must not outlive the supervisor: the init server leaves when
    // its socket closes, and every init (so every sandbox) dies with it. The
    // bind sends the run through the init, which then only waits for the
    // program: before the server, root mode's id switch had cleared the
    // init's parent-death signal, and such a sandbox outlived its supervisor.
    const std::string marker = std::to_string(100000 + getpid() % 100000);
    const std::string program_cmdline = std::string("sleep") + '\0' + marker + '\0';
    run_then_kill({"--bind-ro", "/etc:/hostetc", "--", "/bin/sh", "-c", "sleep " + marker}, program_cmdline);
    CHECK(wait_until([&] { return !process_running(program_cmdline); }));
}

TEST_CASE("the groups of a killed ringfence run are removed by the next launcher") {
    auto backend = ringfence::detect_cgroups({});
    if (!backend) {
        MESSAGE("SKIPPED: no usable cgroups: " << backend.error().describe());
        return;
    }
    std::vector<std::string> subtrees;
    {
        auto probe = (*backend)->create("itest-subtree-" + std::to_string(getpid()));
        REQUIRE_MESSAGE(probe.ok(), probe.error().describe());
        for (const auto& dir : (*probe)->directories())
            subtrees.push_back(std::filesystem::path(dir).parent_path());
        REQUIRE((*probe)->destroy().ok());
    }
    const std::string marker = std::to_string(200000 + getpid() % 100000);
    const std::string program_cmdline = std::string("/bin/sleep") + '\0' + marker + '\0';
    const pid_t pid = run_then_kill({"--", "/bin/sleep", marker}, program_cmdline);  // its groups stay behind
    REQUIRE(wait_until([&] { return !process_running(program_cmdline); }));
    const std::string left_prefix = "sb-" + std::to_string(pid) + "-";
    auto left_behind = [&] {
        std::size_t n = 0;
        for (const auto& subtree : subtrees)
            for (const auto& entry : std::filesystem::directory_iterator(subtree))
                if (entry.path().filename().string().rfind(left_prefix, 0) == 0) ++n;
        return n;
    };
    CHECK(left_behind() == subtrees.size());  // one group, in every hierarchy
    // Its init may take a moment to go; until then its group is busy and stays.
    CHECK(wait_until([&] {
        auto launcher = ringfence::Launcher::create(launcher_config());
        REQUIRE_MESSAGE(launcher.ok(), launcher.error().describe());
        return left_behind() == 0;
    }));
}
