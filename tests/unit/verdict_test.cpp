// From sandbox outcomes to verdicts: test runs, compile runs, testlib helper
// exit codes, interactive blame, the overall verdict; plus normalizing a job
// against a language (defaults, maxima, flags, main file) and the language
// registry's pure parts.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "checker.hpp"
#include "interactive.hpp"
#include "languages.hpp"
#include "normalize.hpp"
#include "verdict.hpp"

using namespace ringfence;
using namespace ringfence::judge;

namespace {

RunResult status(RunStatus s) {
    RunResult r;
    r.status = s;
    return r;
}

RunResult exited(int code) {
    RunResult r = status(code == 0 ? RunStatus::ok : RunStatus::nonzero_exit);
    r.exit_code = code;
    return r;
}

}  // namespace

TEST_CASE("test runs map to verdicts") {
    CHECK(verdict_of_run(status(RunStatus::ok)).verdict == Verdict::accepted);
    CHECK(verdict_of_run(status(RunStatus::ok)).message.empty());

    auto cpu = verdict_of_run(status(RunStatus::time_limit));
    CHECK(cpu.verdict == Verdict::time_limit_exceeded);
    CHECK(cpu.time_limit_kind == "cpu");
    auto wall = verdict_of_run(status(RunStatus::wall_time_limit));
    CHECK(wall.verdict == Verdict::time_limit_exceeded);
    CHECK(wall.time_limit_kind == "wall");

    RunResult oom = status(RunStatus::memory_limit);
    oom.memory_kib = 65536;
    auto mle = verdict_of_run(oom);
    CHECK(mle.verdict == Verdict::memory_limit_exceeded);
    CHECK(mle.time_limit_kind.empty());
    CHECK(mle.message.find("65536 KiB") != std::string::npos);

    CHECK(verdict_of_run(status(RunStatus::output_limit)).verdict == Verdict::output_limit_exceeded);
    CHECK(verdict_of_run(status(RunStatus::file_size_limit)).verdict == Verdict::output_limit_exceeded);
    CHECK(verdict_of_run(status(RunStatus::process_limit)).verdict == Verdict::runtime_error);

    auto nzec = verdict_of_run(exited(3));
    CHECK(nzec.verdict == Verdict::runtime_error);
    CHECK(nzec.message == "Runtime error: exit code 3");

    RunResult segv = status(RunStatus::signaled);
    segv.signal = 11;
    segv.signal_name = "SIGSEGV";
    CHECK(verdict_of_run(segv).message == "Runtime error: killed by SIGSEGV (signal 11)");
    segv.signal_name.clear();  // the name is found from the number when missing
    CHECK(verdict_of_run(segv).message.find("SIGSEGV") != std::string::npos);
    RunResult fpe = status(RunStatus::signaled);
    fpe.signal = 8;
    CHECK(signal_name_of(fpe) == "SIGFPE");

    RunResult blocked = status(RunStatus::security_violation);
    blocked.violation = "ptrace";
    auto sv = verdict_of_run(blocked);
    CHECK(sv.verdict == Verdict::security_violation);
    CHECK(sv.message == "Security violation: blocked system call ptrace");

    RunResult broken = status(RunStatus::setup_error);
    broken.error = "cgroup: no memory controller";
    auto ie = verdict_of_run(broken);
    CHECK(ie.verdict == Verdict::internal_error);  // never the user's fault
    CHECK(ie.message.find("cgroup: no memory controller") != std::string::npos);
}

TEST_CASE("failed compile runs: the sources' fault unless the sandbox broke") {
    for (auto s : {RunStatus::nonzero_exit, RunStatus::signaled, RunStatus::time_limit, RunStatus::wall_time_limit,
                   RunStatus::memory_limit, RunStatus::output_limit, RunStatus::file_size_limit,
                   RunStatus::process_limit}) {
        INFO(to_string(s));
        CHECK(verdict_of_failed_compile(status(s)).verdict == Verdict::compilation_error);
    }
    CHECK(verdict_of_failed_compile(status(RunStatus::setup_error)).verdict == Verdict::internal_error);
    RunResult blocked = status(RunStatus::security_violation);
    blocked.violation = "socket";
    auto sv = verdict_of_failed_compile(blocked);
    CHECK(sv.verdict == Verdict::security_violation);
    CHECK(sv.message == "Security violation during compilation: blocked system call socket");
    CHECK(verdict_of_failed_compile(status(RunStatus::time_limit)).message.find("CPU time limit") != std::string::npos);
    CHECK(verdict_of_failed_compile(exited(1)).message.find("exited with code 1") != std::string::npos);
}

TEST_CASE("the overall verdict is the first failure in test order") {
    auto test = [](int index, Verdict v) {
        TestResult t;
        t.index = index;
        t.verdict = v;
        return t;
    };
    CHECK(overall_verdict({}) == Verdict::accepted);
    CHECK(overall_verdict({test(0, Verdict::accepted), test(1, Verdict::accepted)}) == Verdict::accepted);
    CHECK(overall_verdict({test(0, Verdict::accepted), test(1, Verdict::time_limit_exceeded),
                           test(2, Verdict::wrong_answer)}) == Verdict::time_limit_exceeded);
    CHECK(overall_verdict({test(0, Verdict::wrong_answer), test(1, Verdict::skipped)}) == Verdict::wrong_answer);
    CHECK(overall_verdict({test(0, Verdict::accepted), test(1, Verdict::skipped)}) == Verdict::accepted);

    JobResult job;
    RunResult a, b;
    a.cpu_time_us = 5000, a.wall_time_us = 9000, a.memory_kib = 100;
    b.cpu_time_us = 7000, b.wall_time_us = 8000, b.memory_kib = 50;
    add_to_maxima(job, a);
    add_to_maxima(job, b);
    CHECK(job.max_cpu_time_us == 7000);
    CHECK(job.max_wall_time_us == 9000);
    CHECK(job.max_memory_kib == 100);
}

TEST_CASE("testlib exit codes of a checker") {
    RunResult r = exited(0);
    r.stderr_data = "ok 3 numbers\n";
    auto ac = read_helper_verdict(r, "checker");
    CHECK(ac.verdict == Verdict::accepted);
    CHECK(ac.message == "ok 3 numbers");
    r = exited(1);
    r.stderr_data = "wrong answer 2nd numbers differ";
    CHECK(read_helper_verdict(r, "checker").verdict == Verdict::wrong_answer);
    r = exited(2);
    r.stdout_data = "  presentation  \n";  // stdout serves when stderr is empty
    auto pe = read_helper_verdict(r, "checker");
    CHECK(pe.verdict == Verdict::presentation_error);
    CHECK(pe.message == "presentation");
    r = exited(3);
    r.stderr_data = "answer file is broken";
    auto fail = read_helper_verdict(r, "checker");
    CHECK(fail.verdict == Verdict::internal_error);
    CHECK(fail.message.find("reported a failure: answer file is broken") != std::string::npos);
    auto other = read_helper_verdict(exited(7), "checker");
    CHECK(other.verdict == Verdict::internal_error);
    CHECK(other.message.find("exited with code 7") != std::string::npos);
    CHECK(read_helper_verdict(status(RunStatus::time_limit), "checker").verdict == Verdict::internal_error);
    CHECK(read_helper_verdict(status(RunStatus::signaled), "checker").verdict == Verdict::internal_error);
    RunResult chatty = exited(1);
    chatty.stderr_data = std::string(10000, 'x');
    CHECK(read_helper_verdict(chatty, "checker").message.size() < 4200);
}

TEST_CASE("interactive: who is to blame") {
    auto helper = [](int code) { return read_helper_verdict(exited(code), "interactor"); };
    // Both fine: the interactor decides.
    CHECK(decide_interactive(exited(0), helper(0), false).verdict == Verdict::accepted);
    CHECK(decide_interactive(exited(0), helper(1), false).verdict == Verdict::wrong_answer);
    CHECK(decide_interactive(exited(0), helper(2), false).verdict == Verdict::presentation_error);
    // Deadlock: the submission's wall limit ran out first; the interactor then saw EOF.
    auto deadlock = decide_interactive(status(RunStatus::wall_time_limit), helper(1), false);
    CHECK(deadlock.verdict == Verdict::time_limit_exceeded);
    CHECK(deadlock.time_limit_kind == "wall");
    CHECK(decide_interactive(status(RunStatus::time_limit), helper(0), false).verdict ==
          Verdict::time_limit_exceeded);
    CHECK(decide_interactive(status(RunStatus::memory_limit), helper(1), false).verdict ==
          Verdict::memory_limit_exceeded);
    // A crash after the interactor accepted is the submission's runtime error...
    CHECK(decide_interactive(exited(4), helper(0), false).verdict == Verdict::runtime_error);
    // ...but after a wrong answer the interactor's word stands.
    CHECK(decide_interactive(exited(4), helper(1), false).verdict == Verdict::wrong_answer);
    // Stopped by us because the interactor had already decided: its verdict.
    CHECK(decide_interactive(status(RunStatus::signaled), helper(1), true).verdict == Verdict::wrong_answer);
    CHECK(decide_interactive(status(RunStatus::setup_error), helper(1), true).verdict == Verdict::wrong_answer);
    // The interactor failing is never the submission's fault.
    CHECK(decide_interactive(exited(0), helper(3), false).verdict == Verdict::internal_error);
    CHECK(decide_interactive(exited(0), read_helper_verdict(status(RunStatus::signaled), "interactor"), false)
              .verdict == Verdict::internal_error);
    CHECK(decide_interactive(exited(0), read_helper_verdict(status(RunStatus::setup_error), "interactor"), true)
              .verdict == Verdict::internal_error);
    CHECK(decide_interactive(status(RunStatus::setup_error), helper(0), false).verdict == Verdict::internal_error);
    // The submission's sandbox never started; the interactor then waited in vain:
    // the message names the cause, not the interactor's timeout.
    RunResult never_started = status(RunStatus::setup_error);
    never_started.error = "init did not get ready";
    auto cause = decide_interactive(never_started, read_helper_verdict(status(RunStatus::wall_time_limit), "interactor"), true);
    CHECK(cause.verdict == Verdict::internal_error);
    CHECK(cause.message.find("init did not get ready") != std::string::npos);
}

// ---- normalizing a job against a language ------------------------------------

namespace {

std::unique_ptr<Language> make_language(const std::string& id, bool compiled, bool available = true) {
    nlohmann::json p = {
        {"id", id},
        {"name", id},
        {"version_command", {"true"}},
        {"source_file", compiled ? "main.cpp" : "main.py"},
        {"run", compiled ? nlohmann::json{"./main"} : nlohmann::json{"python3", "main.py"}},
        {"allowed_flags", {"-O2", "-g"}},
        {"default_flags", {"-O2"}},
        {"limits",
         {{"run", {{"default", {{"cpu_time_ms", 2000}, {"memory_kib", 262144}, {"processes", 1}}},
                   {"max", {{"cpu_time_ms", 20000}, {"memory_kib", 1048576}, {"processes", 64}}}}}}},
    };
    if (compiled) {
        p["compile"] = {"g++", "{flags}", "-o", "main", "main.cpp"};
        p["artifacts"] = {"main"};
    }
    auto parsed = parse_language_profile(p.dump(), id);
    REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().message));
    auto language = std::make_unique<Language>();
    language->profile = *parsed;
    language->info.id = id;
    language->info.available = available;
    if (!available) language->info.unavailable_reason = "g++ is not installed";
    auto security = std::make_shared<SecurityProfile>();
    security->name = "default";
    language->run_security = language->compile_security = security;
    return language;
}

struct Fixture {
    std::vector<std::unique_ptr<Language>> languages;
    Fixture() {
        languages.push_back(make_language("cpp17", true));
        languages.push_back(make_language("python3", false));
        languages.push_back(make_language("fortran", true, false));
    }
    LanguageLookup lookup() const {
        return [this](const std::string& id) -> const Language* {
            for (const auto& l : languages)
                if (l->profile.id == id) return l.get();
            return nullptr;
        };
    }
};

Job job_for(const std::string& language) {
    Job job;
    job.language = language;
    job.sources = {SourceFile{"", "code"}};
    job.tests = {TestCase{}};
    return job;
}

std::string normalize_refusal(const Job& job) {
    Fixture f;
    auto r = normalize_job(job, f.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::input);
    return r.error().message;
}

}  // namespace

TEST_CASE("normalize fills defaults and names the main file") {
    Fixture f;
    auto r = normalize_job(job_for("cpp17"), f.lookup());
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(r->sources[0].name == "main.cpp");
    CHECK(r->run_limits.cpu_time_ms == 2000u);
    CHECK(r->run_limits.memory_kib == 262144u);
    CHECK(r->run_limits.processes == 1u);
    CHECK(r->run_limits.wall_time_ms == Limits{}.wall_time_ms);
    CHECK(r->compile_limits.cpu_time_ms == Limits{}.cpu_time_ms);
    auto again = normalize_job(*r, f.lookup());  // idempotent
    REQUIRE(again.ok());
    CHECK(again->sources[0].name == "main.cpp");

    Job job = job_for("cpp17");
    job.sources = {SourceFile{"util.hpp", "h"}, SourceFile{"main.cpp", "m"}};
    auto moved = normalize_job(job, f.lookup());
    REQUIRE(moved.ok());
    CHECK(moved->sources[0].name == "main.cpp");  // the file named like the profile's is the main one
    CHECK(moved->sources[0].content == "m");
    CHECK(moved->sources[1].name == "util.hpp");

    job.sources = {SourceFile{"solution.cpp", "s"}, SourceFile{"util.hpp", "h"}};
    auto renamed = normalize_job(job, f.lookup());
    REQUIRE(renamed.ok());
    CHECK(renamed->sources[0].name == "main.cpp");  // else the first one, renamed
    CHECK(renamed->sources[0].content == "s");

    job = job_for("cpp17");
    job.run_limits.cpu_time_ms = 20000;  // exactly the maximum
    job.compiler_flags = {"-g"};
    CHECK(normalize_job(job, f.lookup()).ok());
}

TEST_CASE("normalize refuses with the field named") {
    CHECK(normalize_refusal(job_for("cobol")) == "language: unknown language \"cobol\"");
    CHECK(normalize_refusal(job_for("fortran")).find("language: \"fortran\" is not available on this host: g++ is not installed") == 0);
    Job job = job_for("cpp17");
    job.run_limits.memory_kib = 2097152;
    CHECK(normalize_refusal(job) == "run_limits.memory_kib: 2097152 is above the maximum 1048576 for cpp17");
    job = job_for("cpp17");
    job.run_limits.processes = 65;
    CHECK(normalize_refusal(job).find("run_limits.processes: 65 is above the maximum 64") == 0);
    job = job_for("cpp17");
    job.compile_limits.cpu_time_ms = 10001;  // no compile maximum given: the default is the maximum
    CHECK(normalize_refusal(job).find("compile_limits.cpu_time_ms: 10001 is above the maximum 10000") == 0);
    job = job_for("cpp17");
    job.compiler_flags = {"-O2", "-fplugin=evil.so"};
    CHECK(normalize_refusal(job).find("compiler_flags[1]: \"-fplugin=evil.so\" is not allowed for cpp17 (allowed: -O2 -g)") == 0);
    job = job_for("python3");
    job.compiler_flags = {"-O2"};
    CHECK(normalize_refusal(job) == "compiler_flags: \"python3\" is not compiled");
    job = job_for("cpp17");
    job.network = true;
    CHECK(normalize_refusal(job).find("network: not allowed for cpp17") == 0);
    job = job_for("cpp17");
    job.isolation = "vm";
    CHECK(normalize_refusal(job).find("isolation: \"vm\" is not offered") == 0);
    job = job_for("cpp17");
    job.files = {SourceFile{"main.cpp", "x"}};
    CHECK(normalize_refusal(job) == "files[0].name: \"main.cpp\" clashes with sources[0].name");
    job = job_for("cpp17");
    job.sources = {SourceFile{"", "a"}, SourceFile{"main.cpp", "b"}};
    CHECK(normalize_refusal(job) == "sources[1].name: required (\"main.cpp\" is the main file)");
    job = job_for("cpp17");
    job.checker = HelperProgram{"fortran", {SourceFile{"", "x"}}};
    job.compare.mode = CompareMode::checker;
    CHECK(normalize_refusal(job).find("checker.language: \"fortran\" is not available") == 0);
    job = job_for("cpp17");
    job.interactor = HelperProgram{"cobol", {SourceFile{"", "x"}}};
    CHECK(normalize_refusal(job) == "interactor.language: unknown language \"cobol\"");
    job = job_for("cpp17");
    job.tests.clear();
    CHECK(normalize_refusal(job) == "tests: must hold at least one test");
}

TEST_CASE("helper limits: the interactor outlasts the submission's wall time") {
    Fixture f;
    Limits submission;
    submission.wall_time_ms = 3000;
    Limits il = interactor_limits(*f.languages[1], submission);
    CHECK(il.wall_time_ms == 3000 + kInteractorWallMarginMs);
    CHECK(il.cpu_time_ms >= il.wall_time_ms);
    Limits cl = checker_limits(*f.languages[0]);
    CHECK(cl.cpu_time_ms == 20000);  // the checker language's maximum
    CHECK(cl.processes == 1);        // but its default process count
}

// ---- language registry, pure parts --------------------------------------------

TEST_CASE("versions are read from the toolchain's output") {
    CHECK(extract_version("g++ (Debian 12.2.0-14) 12.2.0\nCopyright", "([0-9]+\\.[0-9]+(\\.[0-9]+)?)") == "12.2.0");
    CHECK(extract_version("Python 3.11.2\n", "Python ([0-9.]+)") == "3.11.2");
    CHECK(extract_version("\n  some tool, no digits \n", "([0-9]+\\.[0-9]+)") == "some tool, no digits");
    CHECK(extract_version("", "([0-9]+)").empty());
    CHECK(extract_version(std::string(500, 'v'), "([0-9]+)").size() == 100);
}

TEST_CASE("syscall groups expand, nested, without repeats") {
    std::string groups = R"({"groups": {"threads": ["clone", "futex", "set_robust_list"],
                                        "jvm": ["@threads", "sched_getaffinity", "futex"],
                                        "bad": 5}})";
    auto r = expand_syscall_groups(groups, {"jvm"});
    REQUIRE(r.ok());
    CHECK(*r == std::vector<std::string>{"clone", "futex", "set_robust_list", "sched_getaffinity"});
    CHECK(expand_syscall_groups(R"({"net": ["socket"]})", {"@net"}).value() == std::vector<std::string>{"socket"});
    CHECK_FALSE(expand_syscall_groups(groups, {"nope"}).ok());
    CHECK_FALSE(expand_syscall_groups(groups, {"bad"}).ok());
    CHECK_FALSE(expand_syscall_groups("not json", {"jvm"}).ok());
}

TEST_CASE("a language's extras are merged into its base security profile") {
    SecurityProfile base;
    base.name = "default";
    base.mounts = {MountEntry{"/usr", "/usr", false}, MountEntry{"/etc/alternatives", "/etc/alternatives", true}};
    base.syscalls = {"read", "write"};
    SandboxNeeds needs;
    needs.extra_mounts = {MountEntry{"/usr/lib/jvm", "/usr/lib/jvm", false},
                          MountEntry{"/etc/alt", "/etc/alternatives", false}};
    needs.extra_syscalls = {"futex", "read"};
    auto merged = merge_security(base, needs, {"write"}, "default+java-run");
    CHECK(merged.name == "default+java-run");
    REQUIRE(merged.mounts.size() == 3);
    CHECK(merged.mounts[1].source == "/etc/alt");  // same target: the language's entry wins
    CHECK_FALSE(merged.mounts[1].optional);
    CHECK(merged.syscalls == std::vector<std::string>{"read", "write", "futex"});
}
