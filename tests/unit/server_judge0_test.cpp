// Judge0 compatibility without running anything: request validation (the
// checks the official SDK relies on), fields, base64 rendering, status mapping.
#include <doctest/doctest.h>

#include "api/judge0_submission.hpp"
#include "languages.hpp"
#include "service/base64.hpp"
#include "service/config.hpp"

using namespace ringfence;
using namespace ringfence::server;
using nlohmann::json;

namespace {

std::vector<LanguageInfo> languages() {
    LanguageInfo py;
    py.id = "python3";
    py.name = "Python (3.11.2)";
    py.version = "3.11.2";
    py.available = true;
    py.source_file = "main.py";
    py.judge0_ids = {71};
    py.judge0_names = {"Python (3.11.2)"};
    LanguageInfo cpp;
    cpp.id = "cpp17";
    cpp.name = "C++ (GCC 12.2.0, C++17)";
    cpp.available = true;
    cpp.compiled = true;
    cpp.judge0_ids = {54, 76};
    LanguageInfo gone;
    gone.id = "cobol";
    gone.available = false;
    gone.judge0_ids = {77};
    return {py, cpp, gone};
}

json settings() { return default_config_document()["judge0"]; }

TenantConfig tenant() {
    TenantConfig t;
    t.name = "local";
    return t;
}

judge0::Validation check(const json& body, bool base64 = false) {
    static auto langs = languages();
    return judge0::validate(body, base64, settings(), langs, tenant(), false);
}

}  // namespace

TEST_CASE("a minimal submission is valid and defaults are filled from the configuration") {
    auto v = check({{"source_code", "print(1)"}, {"language_id", 71}});
    REQUIRE(v.ok());
    CHECK(v.language->id == "python3");
    CHECK(v.stored["cpu_time_limit"].get<double>() == 5.0);
    CHECK(v.stored["memory_limit"] == 128000);
    CHECK(v.stored["limits_given"].empty());
    auto job = judge0::to_job(v.stored);
    REQUIRE(job.ok());
    CHECK(job->language == "python3");
    REQUIRE(job->sources.size() == 1);
    CHECK(job->sources[0].content == "print(1)");
    CHECK_FALSE(job->run_limits.cpu_time_ms.has_value());  // the profile's default applies
    CHECK(job->compare.mode == CompareMode::lines);
}

TEST_CASE("Rails-style 422 errors name each field") {
    auto v = check({{"language_id", 150000}});
    CHECK(v.errors["language_id"][0] == "language with id 150000 doesn't exist");
    CHECK(v.errors["source_code"][0] == "can't be blank");
    CHECK(check({{"source_code", "x"}}).errors["language_id"][0] == "can't be blank");
    CHECK(check({{"source_code", "x"}, {"language_id", 77}}).errors.contains("language_id"));  // not installed
    auto limits = check({{"source_code", "x"},
                         {"language_id", 71},
                         {"wall_time_limit", 21},
                         {"cpu_time_limit", -1},
                         {"memory_limit", 100},
                         {"max_processes_and_or_threads", 0},
                         {"number_of_runs", 21}});
    CHECK(limits.errors["wall_time_limit"][0] == "must be less than or equal to 20.0");
    CHECK(limits.errors["cpu_time_limit"][0] == "must be greater than or equal to 0.0");
    CHECK(limits.errors["memory_limit"][0] == "must be greater than or equal to 2048");
    CHECK(limits.errors["max_processes_and_or_threads"][0] == "must be greater than 0");
    CHECK(limits.errors["number_of_runs"][0] == "must be less than or equal to 20");
    CHECK(check({{"source_code", "x"}, {"language_id", 71}, {"memory_limit", "lots"}}).errors["memory_limit"][0] ==
          "is not a number");
    CHECK(check({{"source_code", "x"}, {"language_id", 71}, {"enable_network", true}}).errors["enable_network"][0] ==
          "enabling network is not allowed");
    CHECK(check({{"source_code", "x"}, {"language_id", 71}, {"enable_per_process_and_thread_time_limit", true}})
              .errors["enable_per_process_and_thread_time_limit"][0] == "this option cannot be enabled");
    CHECK(check({{"source_code", "x"}, {"language_id", 71}, {"compiler_options", "-O2"}}).errors["compiler_options"][0] ==
          "setting compiler options is only allowed for compiled languages");
    CHECK(check({{"source_code", "x"}, {"language_id", 71}, {"callback_url", "http://127.0.0.1/"}})
              .errors.contains("callback_url"));
    CHECK(check({{"source_code", "x"}, {"language_id", 71}, {"additional_files", "UEsFBg=="}})
              .errors.contains("additional_files"));
}

TEST_CASE("SDK habits: integers as floats, numbers as strings, unknown fields dropped") {
    auto v = check({{"source_code", "x"},
                    {"language_id", 71.0},
                    {"memory_limit", 128000.0},
                    {"cpu_time_limit", "2.5"},
                    {"max_processes_and_or_threads", 30},
                    {"tenant", "someone-else"},
                    {"X-Judge0-App", "sdk"}});
    REQUIRE(v.ok());
    CHECK(v.stored["memory_limit"] == 128000);
    CHECK_FALSE(v.stored.contains("tenant"));
    auto job = judge0::to_job(v.stored).value();
    CHECK(job.run_limits.cpu_time_ms.value() == 2500);
    CHECK(job.run_limits.memory_kib.value() == 128000);
    CHECK(job.run_limits.processes.value() == 30);
}

TEST_CASE("base64 input decodes source, stdin and expected output; compiler options are sanitized") {
    auto v = check({{"source_code", base64_encode("int main(){}")},
                    {"language_id", 54},
                    {"stdin", base64_encode_wrapped("1 2\n")},
                    {"expected_output", "Mwo="},
                    {"compiler_options", "-O2 ; rm -rf / `x` -Wall"},
                    {"command_line_arguments", "a b|c"},
                    {"number_of_runs", 3}},
                   true);
    REQUIRE(v.ok());
    auto job = judge0::to_job(v.stored).value();
    CHECK(job.sources[0].content == "int main(){}");
    REQUIRE(job.tests.size() == 3);
    CHECK(job.tests[0].stdin_data == "1 2\n");
    CHECK(job.tests[0].expected_output.value() == "3\n");
    CHECK(job.compiler_flags == std::vector<std::string>{"-O2", "rm", "-rf", "/", "x", "-Wall"});
    CHECK(job.args == std::vector<std::string>{"a", "bc"});
    CHECK(job.stop_on_first_failure);
    CHECK(check({{"source_code", "!!!"}, {"language_id", 71}}, true).errors["source_code"][0] == "is not valid base64");
}

TEST_CASE("fields: default set, *, and unknown names") {
    CHECK(judge0::parse_fields(std::nullopt).value() == judge0::default_fields());
    auto all = judge0::parse_fields(std::string("*")).value();
    CHECK(all.size() == judge0::all_fields().size());
    CHECK(judge0::parse_fields(std::string("token,status")).value() == std::vector<std::string>{"token", "status"});
    auto bad = judge0::parse_fields(std::string("token,tenant,tier"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "invalid fields: [tenant, tier]");
    // Every attribute is one the official SDK knows (an unknown one breaks it).
    std::set<std::string> sdk = {"source_code", "language_id", "stdin", "expected_output", "stdout", "status_id",
                                 "created_at", "finished_at", "time", "memory", "stderr", "token", "number_of_runs",
                                 "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit", "stack_limit",
                                 "max_processes_and_or_threads", "enable_per_process_and_thread_time_limit",
                                 "enable_per_process_and_thread_memory_limit", "max_file_size", "compile_output",
                                 "exit_code", "exit_signal", "message", "wall_time", "compiler_options",
                                 "command_line_arguments", "redirect_stderr_to_stdout", "callback_url",
                                 "additional_files", "enable_network", "status", "language"};
    for (const auto& f : judge0::all_fields()) CHECK_MESSAGE(sdk.count(f), f);
}

TEST_CASE("results map to Judge0 status ids; memory limit stays 12 with a message") {
    auto v = check({{"source_code", "x"}, {"language_id", 71}, {"expected_output", "3"}});
    JobResult r;
    TestResult t;
    t.verdict = Verdict::accepted;
    t.run.status = RunStatus::ok;
    t.run.stdout_data = "3\n";
    t.run.cpu_time_us = 2000;
    t.run.wall_time_us = 15000;
    t.run.memory_kib = 3000;
    r.tests = {t};
    r.verdict = Verdict::accepted;
    auto o = judge0::outcome(r, v.stored);
    CHECK(o["status_id"] == 3);
    CHECK(o["time"] == "0.002");
    CHECK(o["wall_time"] == "0.015");
    CHECK(o["memory"] == 3000);
    CHECK(o["exit_code"] == 0);
    CHECK(o["exit_signal"].is_null());

    auto with = [&](Verdict verdict, int signal = 0, int exit_code = 0) {
        JobResult x = r;
        x.verdict = verdict;
        x.tests[0].verdict = verdict;
        x.tests[0].run.signal = signal;
        x.tests[0].run.exit_code = exit_code;
        return judge0::outcome(x, v.stored);
    };
    CHECK(with(Verdict::wrong_answer)["status_id"] == 4);
    CHECK(with(Verdict::time_limit_exceeded)["status_id"] == 5);
    CHECK(with(Verdict::memory_limit_exceeded)["status_id"] == 12);
    CHECK(with(Verdict::memory_limit_exceeded)["message"] == "Memory limit exceeded");
    CHECK(with(Verdict::runtime_error, 11)["status_id"] == 7);
    CHECK(with(Verdict::runtime_error, 11)["exit_code"] == 0);
    CHECK(with(Verdict::runtime_error, 11)["exit_signal"] == 11);
    CHECK(with(Verdict::runtime_error, 25)["status_id"] == 8);
    CHECK(with(Verdict::runtime_error, 8)["status_id"] == 9);
    CHECK(with(Verdict::runtime_error, 6)["status_id"] == 10);
    CHECK(with(Verdict::runtime_error, 9)["status_id"] == 12);
    CHECK(with(Verdict::runtime_error, 0, 3)["status_id"] == 11);
    CHECK(with(Verdict::runtime_error, 0, 3)["message"] == "Exited with error status 3");
    CHECK(with(Verdict::output_limit_exceeded)["status_id"] == 8);
    CHECK(with(Verdict::security_violation)["status_id"] == 12);
    CHECK(with(Verdict::internal_error)["status_id"] == 13);
    JobResult ce;
    ce.verdict = Verdict::compilation_error;
    ce.compile_output = "main.cpp:1: error";
    auto c = judge0::outcome(ce, v.stored);
    CHECK(c["status_id"] == 6);
    CHECK(c["time"].is_null());
    CHECK(c["memory"].is_null());
    CHECK(base64_decode_lenient(c["compile_output"].get<std::string>()).value() == "main.cpp:1: error");
}

TEST_CASE("rendering: fields, decimals as strings, base64 wrapped, UTF-8 refusal") {
    auto v = check({{"source_code", "print(1)"}, {"language_id", 71}});
    JobRecord rec;
    rec.id = "0b1d7d3e-8a4f-4c34-9a4b-2a4f4b0b9c11";
    rec.state = JobState::done;
    rec.created_ms = 1733764975662;
    rec.finished_ms = 1733764976000;
    rec.request = v.stored.dump();
    json outcome = {{"status_id", 3}, {"stdout", base64_encode(std::string(70, 'x'))}, {"stderr", nullptr},
                    {"compile_output", nullptr}, {"message", nullptr}, {"time", "0.01"}, {"wall_time", "0.02"},
                    {"memory", 100}, {"exit_code", 0}, {"exit_signal", nullptr}};
    rec.result = outcome.dump();
    auto langs = languages();
    auto plain = judge0::render(rec, judge0::all_fields(), false, langs);
    REQUIRE(plain.error.empty());
    CHECK(plain.body["status"] == json({{"id", 3}, {"description", "Accepted"}}));
    CHECK(plain.body["stdout"] == std::string(70, 'x'));
    CHECK(plain.body["cpu_time_limit"] == "5.0");
    CHECK(plain.body["time"] == "0.01");
    CHECK(plain.body["created_at"] == "2024-12-09T17:22:55.662Z");
    CHECK(plain.body["language"] == json({{"id", 71}, {"name", "Python (3.11.2)"}}));
    CHECK(plain.body["source_code"] == "print(1)");
    CHECK(plain.body["stderr"].is_null());
    auto b64 = judge0::render(rec, judge0::default_fields(), true, langs);
    std::string out = b64.body["stdout"];
    CHECK(out == base64_encode_wrapped(std::string(70, 'x')));
    CHECK(out.find('\n') == 60);
    CHECK(b64.body.size() == judge0::default_fields().size());

    outcome["stdout"] = base64_encode("\x7f" "ELF\xff\xfe");
    rec.result = outcome.dump();
    auto refused = judge0::render(rec, judge0::default_fields(), false, langs);
    CHECK(refused.error.find("use base64_encoded=true") != std::string::npos);
    CHECK(judge0::render(rec, judge0::default_fields(), true, langs).error.empty());

    rec.state = JobState::queued;
    rec.result.clear();
    auto queued = judge0::render(rec, {"status", "stdout"}, false, langs);
    CHECK(queued.body["status"]["id"] == 1);
    CHECK(queued.body["status"]["description"] == "In Queue");
}

TEST_CASE("Judge0 language names carry our real toolchain versions") {
    LanguageInfo py;
    py.name = "Python 3";
    py.version = "3.11.2";
    py.judge0_ids = {71};
    py.judge0_names = {"Python (3.8.1)"};
    CHECK(judge0::language_name(py, 71) == "Python (3.11.2)");
    LanguageInfo cpp;
    cpp.version = "12.2.0";
    cpp.judge0_ids = {52, 54};
    cpp.judge0_names = {"C++ (GCC 7.4.0)", "C++ (GCC 9.2.0)"};
    CHECK(judge0::language_name(cpp, 54) == "C++ (GCC 12.2.0)");
    LanguageInfo text;
    text.name = "Plain Text";
    text.version = "1";
    text.judge0_ids = {43};
    text.judge0_names = {"Plain Text"};
    CHECK(judge0::language_name(text, 43) == "Plain Text");
}

TEST_CASE("Judge0 names name our toolchain when it differs from Judge0's") {
    judge::LanguageProfile d;
    d.name = "D (GDC)";
    d.version_command = {"gdc", "--version"};
    CHECK(judge::judge0_name_for_profile("D (DMD 2.089.1)", d) == "D (GDC 2.089.1)");
    LanguageInfo served;
    served.version = "12.2.0";
    served.judge0_ids = {56};
    served.judge0_names = {judge::judge0_name_for_profile("D (DMD 2.089.1)", d)};
    CHECK(judge0::language_name(served, 56) == "D (GDC 12.2.0)");

    judge::LanguageProfile c;
    c.name = "C (GCC, GNU C17)";
    c.version_command = {"gcc", "--version"};
    CHECK(judge::judge0_name_for_profile("C (GCC 9.2.0)", c) == "C (GCC 9.2.0)");
    judge::LanguageProfile pascal;
    pascal.name = "Pascal (Free Pascal)";
    pascal.version_command = {"fpc", "-iV"};
    CHECK(judge::judge0_name_for_profile("Pascal (FPC 3.0.4)", pascal) == "Pascal (FPC 3.0.4)");
    judge::LanguageProfile erlang;
    erlang.name = "Erlang (escript)";
    erlang.version_command = {"erl", "-eval", "io:format(\"OTP ~s~n\", [x])"};
    CHECK(judge::judge0_name_for_profile("Erlang (OTP 22.2)", erlang) == "Erlang (OTP 22.2)");
    judge::LanguageProfile go;
    go.name = "Go";
    CHECK(judge::judge0_name_for_profile("Go (1.13.5)", go) == "Go (1.13.5)");
    CHECK(judge::judge0_name_for_profile("Plain Text", go) == "Plain Text");
}

TEST_CASE("status table and decimals") {
    CHECK(std::string(judge0::status_description(12)) == "Runtime Error (Other)");
    CHECK(std::string(judge0::status_description(14)) == "Exec Format Error");
    CHECK(judge0::decimal_string(5) == "5.0");
    CHECK(judge0::decimal_string(0.002) == "0.002");
    CHECK(judge0::decimal_string(0.1) == "0.1");
    CHECK(judge0::field_for_job_error("run_limits.memory_kib: below 4096") == "memory_limit");
    CHECK(judge0::field_for_job_error("compiler_flags[0]: not allowed") == "compiler_options");
}
