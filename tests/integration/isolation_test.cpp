// What a program inside can see and touch: files, mounts, ids, capabilities,
// processes, environment and file descriptors.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sandbox_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

namespace {

void expect_blocked(const RunResult& r) {
    CHECK(r.status == RunStatus::ok);
    CHECK(r.stdout_data.rfind("blocked:", 0) == 0);
}

}  // namespace

TEST_CASE("host files outside the profile are not visible") {
    for (const char* path : {"/etc/shadow", "/root/.bashrc", "/home", "/var/log/syslog",
                             "/run/ringfence/uids", "/etc/hostname.host", "/work"}) {
        CAPTURE(path);
        auto r = probe("read", path);
        expect_blocked(r);
        CHECK(r.stdout_data.find("No such file") != std::string::npos);
    }
    // The probe binaries' own host path is not visible either, only their bind at /probes.
    expect_blocked(probe("read", probes_dir() + "/hostile"));
}

TEST_CASE("everything outside /box, /tmp and /dev/shm is read-only") {
    for (const char* path : {"/usr/bin/evil", "/evil", "/etc/passwd", "/etc/evil", "/probes/evil",
                             "/dev/evil", "/proc/evil"}) {
        CAPTURE(path);
        expect_blocked(probe("write", path));
    }
    for (const char* path : {"/box/ok", "/tmp/ok", "/dev/shm/ok", "/dev/null"}) {
        CAPTURE(path);
        auto r = probe("write", path);
        CHECK(r.status == RunStatus::nonzero_exit);  // the probe reports success as ESCAPED
        CHECK(r.stdout_data.rfind("ESCAPED:", 0) == 0);
    }
}

TEST_CASE("/proc is read-only and its sensitive entries are masked") {
    expect_blocked(probe("sysrq"));
    auto keys = probe("cat", "/proc/keys");
    CHECK(keys.status == RunStatus::ok);
    // /dev/null on top, on a nodev mount: nothing to read either way.
    CHECK((keys.stdout_data.empty() || keys.stdout_data.rfind("blocked: /proc/keys", 0) == 0));
}

TEST_CASE("device nodes cannot be created") { expect_blocked(probe("mknod")); }

TEST_CASE("mountinfo shows only the profile's paths") {
    auto r = probe("mountinfo");
    REQUIRE(r.status == RunStatus::ok);
    std::istringstream lines(r.stdout_data);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        ++count;
        std::istringstream fields(line);
        std::string id, parent, dev, root, mount_point;
        fields >> id >> parent >> dev >> root >> mount_point;
        CAPTURE(line);
        // The root of each mount is "/", a profile source, a device under /dev, or the probes dir.
        bool known = root == "/" || root == "/usr" || root == "/etc/ld.so.cache" ||
                     root == "/etc/alternatives" || root == "/etc/localtime" || root == "/null" ||
                     root == "/zero" || root == "/full" || root == "/random" || root == "/urandom" ||
                     root == probes_dir() || root.rfind("/lib", 0) == 0 || root == "/bin" || root == "/sbin";
        CHECK(known);
        CHECK(mount_point.find("/run/ringfence") == std::string::npos);
    }
    CHECK(count > 5);
}

TEST_CASE("the program runs as an ordinary uid with no capabilities") {
    auto ids = probe("print-ids");
    REQUIRE(ids.status == RunStatus::ok);
    CHECK(ids.stdout_data.rfind("uid=1000 euid=1000 suid=1000 gid=1000", 0) == 0);

    auto status = probe("cat", "/proc/self/status");
    REQUIRE(status.status == RunStatus::ok);
    for (const char* line : {"CapInh:\t0000000000000000", "CapPrm:\t0000000000000000",
                             "CapEff:\t0000000000000000", "CapBnd:\t0000000000000000",
                             "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2"}) {
        CAPTURE(line);
        CHECK(status.stdout_data.find(line) != std::string::npos);
    }

    // Never host root: the map names only unprivileged host ids.
    auto map = probe("cat", "/proc/self/uid_map");
    REQUIRE(map.status == RunStatus::ok);
    std::istringstream rows(map.stdout_data);
    unsigned inside, outside, count;
    int rows_seen = 0;
    while (rows >> inside >> outside >> count) {
        ++rows_seen;
        CHECK(outside != 0);
        if (inside == 1000) CHECK(outside == map.host_uid);
    }
    CHECK(rows_seen >= 1);
    if (running_as_root()) CHECK(map.host_uid != 0);
}

TEST_CASE("setuid binaries do not raise privileges") {
    if (!running_as_root()) {
        MESSAGE("needs root to create a setuid-root binary; covered by the root pass");
        return;
    }
    std::string dir = temp_dir("setuid");
    std::string copy = dir + "/hostile-suid";
    std::filesystem::copy_file(probes_dir() + "/hostile", copy);
    REQUIRE(chown(copy.c_str(), 0, 0) == 0);
    REQUIRE(chmod(copy.c_str(), 04755) == 0);
    RunSpec spec = probe_spec("setuid-exec", "/suid/hostile-suid");
    spec.binds.push_back({dir, "/suid", false});
    spec.argv = {"/suid/hostile-suid", "print-ids"};
    auto r = run(spec);
    REQUIRE(r.status == RunStatus::ok);
    CHECK(r.stdout_data.rfind("uid=1000 euid=1000 suid=1000", 0) == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("processes outside the sandbox, and its init, are invisible") {
    auto r = probe("procs");
    CHECK(r.status == RunStatus::ok);
    CHECK(r.stdout_data.rfind("visible=1\nblocked: signal to pid 1", 0) == 0);  // only the probe itself
}

TEST_CASE("no environment variable and no file descriptor of the caller leaks in") {
    setenv("RINGFENCE_SECRET_TOKEN", "hunter2", 1);
    int leaked = open("/etc/hostname", O_RDONLY);  // not CLOEXEC on purpose
    RunSpec spec = probe_spec("env");
    spec.env = {"ONLY=this"};
    auto env = run(spec);
    REQUIRE(env.status == RunStatus::ok);
    CHECK(env.stdout_data == "ONLY=this\n");
    auto fds = probe("fds");
    REQUIRE(fds.status == RunStatus::ok);
    CHECK(fds.stdout_data == "0 1 2 \n");
    close(leaked);
    unsetenv("RINGFENCE_SECRET_TOKEN");
}

// The probes come in through a bind, so the runs above go through the init;
// a run without binds is handed straight to the program's process instead,
// and must be confined just the same.
TEST_CASE("a run without binds (handed straight to the program's process) is confined the same") {
    setenv("RINGFENCE_SECRET_TOKEN", "hunter2", 1);
    int leaked = open("/etc/hostname", O_RDONLY);  // not CLOEXEC on purpose
    RunSpec spec = probe_spec("unused");
    spec.binds.clear();
    spec.env = {"ONLY=this"};
    spec.argv = {"/bin/sh", "-c",
                 "ls /proc/$$/fd; grep -E '^(Uid|Cap...|NoNewPrivs|Seccomp):' /proc/self/status; env"};
    auto r = run(spec);
    close(leaked);
    unsetenv("RINGFENCE_SECRET_TOKEN");
    REQUIRE(r.status == RunStatus::ok);
    CHECK(r.stdout_data.rfind("0\n1\n2\n", 0) == 0);
    for (const char* line : {"Uid:\t1000\t1000\t1000\t1000", "CapInh:\t0000000000000000",
                             "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
                             "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1",
                             "Seccomp:\t2"}) {
        CAPTURE(line);
        CHECK(r.stdout_data.find(line) != std::string::npos);
    }
    CHECK(r.stdout_data.find("ONLY=this") != std::string::npos);
    CHECK(r.stdout_data.find("hunter2") == std::string::npos);
}

TEST_CASE("Landlock scopes signals: the program cannot signal its own init") {
    // PID 1 of a namespace silently ignores signals from inside it (kill()
    // returns 0); the EPERM comes from Landlock's signal scoping alone.
    auto r = probe("kill-parent");
    CHECK(r.status == RunStatus::ok);
    CHECK(r.stdout_data == "blocked: kill parent: Operation not permitted\n");
}

TEST_CASE("a read-only bind stays read-only, a writable one is writable") {
    std::string dir = temp_dir("binds");
    chmod(dir.c_str(), 0777);
    RunSpec ro = probe_spec("write", "/data/file");
    ro.binds.push_back({dir, "/data", false});
    expect_blocked(run(ro));
    CHECK_FALSE(std::filesystem::exists(dir + "/file"));
    RunSpec rw = probe_spec("write", "/data/file");
    rw.binds.push_back({dir, "/data", true});
    CHECK(run(rw).stdout_data == "ESCAPED: /data/file\n");  // the write worked, as asked
    CHECK(std::filesystem::exists(dir + "/file"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a workdir is mounted read-write on /box and handed back afterwards") {
    std::string dir = temp_dir("workdir");
    { std::ofstream(dir + "/input.txt") << "from the host\n"; }
    struct stat before {};
    stat(dir.c_str(), &before);
    RunSpec spec = probe_spec("write", "/box/output.txt");
    spec.workdir = dir;
    auto r = run(spec);
    CHECK(r.status == RunStatus::nonzero_exit);  // ESCAPED means the write worked, as it should
    CHECK(std::filesystem::exists(dir + "/output.txt"));
    struct stat out {}, after {};
    stat((dir + "/output.txt").c_str(), &out);
    stat(dir.c_str(), &after);
    CHECK(out.st_uid == before.st_uid);
    CHECK(after.st_uid == before.st_uid);
    RunSpec cat = probe_spec("cat", "/box/input.txt");
    cat.workdir = dir;
    auto c = run(cat);
    CHECK(c.stdout_data == "from the host\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("files placed in /box before the run are readable there") {
    RunSpec spec = probe_spec("cat", "/box/sub/dir/data.txt");
    spec.box_files = {{"sub/dir/data.txt", "hello box\n"}};
    auto r = run(spec);
    REQUIRE(r.status == RunStatus::ok);
    CHECK(r.stdout_data == "hello box\n");
    RunSpec bad = probe_spec("cat", "/box/x");
    bad.box_files = {{"../escape", "x"}};
    CHECK(run(bad).status == RunStatus::setup_error);
}

TEST_CASE("read-only box files belong to the sandbox's root: the program runs them but cannot change them") {
    RunSpec spec = probe_spec("cat");
    spec.argv = {"/bin/sh", "-c",
                 "/box/tool.sh; echo more >> /box/data.txt && echo wrote; chmod 666 /box/data.txt && echo chmodded; "
                 "cat /box/data.txt; stat -c '%u %a' /box/data.txt /box/tool.sh"};
    spec.box_files = {{"tool.sh", "#!/bin/sh\necho ran\n", true, true}, {"data.txt", "as built\n", false, true}};
    auto r = run(spec);
    if (launcher().rootless()) {
        // Every id of a rootless sandbox maps to the caller: nothing could keep the program out.
        CHECK(r.status == RunStatus::setup_error);
        CHECK(r.error.find("read-only box files need a launcher running as root") != std::string::npos);
        return;
    }
    REQUIRE(r.status == RunStatus::ok);
    CHECK(r.stdout_data == "ran\nas built\n0 444\n0 555\n");
}

TEST_CASE("the caller's ignored and blocked signals do not reach the program") {
    struct sigaction ignore {}, old_pipe {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old_pipe);
    sigset_t block, old_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old_mask);
    auto r = probe("cat", "/proc/self/status");
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    sigaction(SIGPIPE, &old_pipe, nullptr);
    REQUIRE(r.status == RunStatus::ok);
    CHECK(r.stdout_data.find("SigBlk:\t0000000000000000") != std::string::npos);
    CHECK(r.stdout_data.find("SigIgn:\t0000000000000000") != std::string::npos);
}
