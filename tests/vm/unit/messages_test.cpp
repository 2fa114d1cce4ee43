#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "vm/protocol/messages.hpp"
#include "vm/protocol/strict_json.hpp"

using namespace ringfence;
using namespace ringfence::vm;

namespace {

RunResult sample_result() {
    RunResult r;
    r.status = RunStatus::memory_limit;
    r.exit_code = 0;
    r.signal = 9;
    r.signal_name = "SIGKILL";
    r.cpu_time_us = 12345;
    r.wall_time_us = 67890;
    r.memory_kib = 65536;
    r.violation = "ptrace";
    r.stdout_truncated = true;
    r.stdout_bytes = 3;
    r.measured_by = "cgroup-v2";
    r.stdout_data = std::string("a\0\xff", 3);
    r.host_uid = 1001;
    r.phases.run_us = 5;
    return r;
}

std::string with_field(const std::string& json_text, const std::string& key, nlohmann::json value) {
    auto j = nlohmann::json::parse(json_text);
    j[key] = std::move(value);
    return j.dump();
}

}  // namespace

TEST_CASE("run results round-trip and come back marked as the vm tier") {
    const RunResult in = sample_result();
    auto out = decode_run_result(encode_run_result(in));
    REQUIRE(out.ok());
    CHECK(out->status == in.status);
    CHECK(out->signal_name == "SIGKILL");
    CHECK(out->violation == in.violation);
    CHECK(out->stdout_data == in.stdout_data);
    CHECK(out->cpu_time_us == in.cpu_time_us);
    CHECK(out->memory_kib == in.memory_kib);
    CHECK(out->host_uid == 1001);
    CHECK(out->tier == "vm");
}

TEST_CASE("hostile run results are rejected naming the field") {
    const std::string good = encode_run_result(sample_result());
    struct Case {
        std::string text;
        const char* expect;
    };
    const Case cases[] = {
        {with_field(good, "status", "pwned"), "result.status: unknown value"},
        {with_field(good, "exit_code", "0"), "result.exit_code: expected an integer"},
        {with_field(good, "exit_code", 100000), "result.exit_code: out of range"},
        {with_field(good, "cpu_time_us", -1), "result.cpu_time_us: expected an unsigned integer"},
        {with_field(good, "stdout", "***"), "result.stdout: invalid base64"},
        {with_field(good, "surprise", 1), "result.surprise: unknown field"},
        {with_field(good, "signal_name", std::string(100, 'S')), "result.signal_name: longer than"},
        {good.substr(0, good.size() / 2), "not valid JSON"},
        {"[1,2,3]", "expected a JSON object"},
        {std::string(100000, '[') + std::string(100000, ']'), "nested deeper"},
        {"{\"status\":\"ok\xff\"}", "not valid JSON"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.expect);
        auto r = decode_run_result(c.text);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::input);
        INFO(std::string(c.expect), " vs ", r.error().message);
        CHECK(r.error().message.find(c.expect) != std::string::npos);
    }
    auto missing = nlohmann::json::parse(good);
    missing.erase("measured_by");
    auto r = decode_run_result(missing.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "result.measured_by: missing");
}

TEST_CASE("run requests round-trip") {
    JobRequest q;
    q.kind = JobKind::run;
    q.entropy = std::string(32, '\x7f');
    q.run.argv = {"/bin/sh", "-c", "echo hi"};
    q.run.env = {"PATH=/usr/bin:/bin"};
    q.run.limits.cpu_time_ms = 1500;
    q.run.limits.processes = 7;
    q.run.stdin_data = std::string("in\0put", 6);
    q.run.box_files = {{"a.txt", "A"}, {"dir/b.bin", std::string(3, '\0'), true, true}};
    q.run.stream_output = false;
    auto out = decode_job(encode_job(q));
    REQUIRE(out.ok());
    CHECK(out->kind == JobKind::run);
    CHECK(out->entropy == q.entropy);
    CHECK(out->run.argv == q.run.argv);
    CHECK(out->run.env == q.run.env);
    CHECK(out->run.limits.cpu_time_ms == 1500);
    CHECK(out->run.limits.processes == 7);
    CHECK(out->run.stdin_data == q.run.stdin_data);
    CHECK(out->run.box_files == q.run.box_files);
    CHECK_FALSE(out->run.stream_output);
}

TEST_CASE("judge jobs and their results round-trip") {
    JobRequest q;
    q.kind = JobKind::judge;
    q.judge.language = "c";
    q.judge.sources = {{"main.c", "int main(){return 0;}"}};
    q.judge.tests.resize(2);
    q.judge.tests[0].stdin_data = "1 2\n";
    q.judge.tests[0].expected_output = "3\n";
    q.judge.run_limits.memory_kib = 65536;
    q.judge.compare.mode = CompareMode::floats;
    q.judge.compare.float_absolute_tolerance = 1e-6;
    q.judge.checker = HelperProgram{"cpp17", {{"checker.cpp", "int main(){}"}}};
    q.judge.stop_on_first_failure = true;
    auto out = decode_job(encode_job(q));
    REQUIRE(out.ok());
    const Job& j = out->judge;
    CHECK(j.language == "c");
    REQUIRE(j.sources.size() == 1);
    CHECK(j.sources[0].content == q.judge.sources[0].content);
    REQUIRE(j.tests.size() == 2);
    CHECK(j.tests[0].expected_output == "3\n");
    CHECK_FALSE(j.tests[1].expected_output.has_value());
    CHECK(j.run_limits.memory_kib == 65536u);
    CHECK_FALSE(j.run_limits.cpu_time_ms.has_value());
    CHECK(j.compare.mode == CompareMode::floats);
    CHECK(j.compare.float_absolute_tolerance == doctest::Approx(1e-6));
    REQUIRE(j.checker.has_value());
    CHECK(j.checker->sources[0].name == "checker.cpp");
    CHECK_FALSE(j.interactor.has_value());
    CHECK(j.stop_on_first_failure);

    JobResult res;
    res.verdict = Verdict::wrong_answer;
    res.compile = sample_result();
    res.compile_output = "warning: x";
    res.tests.resize(2);
    res.tests[1].index = 1;
    res.tests[1].verdict = Verdict::time_limit_exceeded;
    res.tests[1].time_limit_kind = "cpu";
    res.max_memory_kib = 99;
    auto back = decode_job_result(encode_job_result(res));
    REQUIRE(back.ok());
    CHECK(back->verdict == Verdict::wrong_answer);
    REQUIRE(back->compile.has_value());
    CHECK(back->compile->status == RunStatus::memory_limit);
    CHECK(back->compile_output == "warning: x");
    REQUIRE(back->tests.size() == 2);
    CHECK(back->tests[1].verdict == Verdict::time_limit_exceeded);
    CHECK(back->tests[1].time_limit_kind == "cpu");
    CHECK(back->tests[1].run.tier == "vm");
    CHECK(back->max_memory_kib == 99);
    CHECK(back->tier == "vm");

    auto bad = nlohmann::json::parse(encode_job_result(res));
    bad["tests"][1]["verdict"] = "totally_accepted";
    auto r = decode_job_result(bad.dump());
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    CHECK(r.error().message.find("result.tests[1].verdict") != std::string::npos);
}

TEST_CASE("ready and failure messages") {
    ReadyInfo info{"1", "6.1.0-56-cloud-amd64", "0b6e...", "console=hvc0", 1234, 56, {"lo"}};
    auto back = decode_ready(encode_ready(info));
    REQUIRE(back.ok());
    CHECK(back->boot_id == info.boot_id);
    CHECK(back->uptime_ms == 1234);
    auto f = decode_failure(encode_failure({ErrorKind::input, "tests[0]: bad"}));
    REQUIRE(f.ok());
    CHECK(f->kind == ErrorKind::input);
    CHECK_FALSE(decode_failure("{\"kind\":\"boom\",\"message\":\"\"}").ok());
}

TEST_CASE("nesting check ignores brackets inside strings") {
    CHECK(json_nesting_within("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[\"}", 2));
    CHECK(json_nesting_within("{\"a\":\"\\\"[[[[[[[[\"}", 2));
    CHECK_FALSE(json_nesting_within("{\"a\":[[[1]]]}", 3));
}
