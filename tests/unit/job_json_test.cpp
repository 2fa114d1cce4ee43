// The job JSON (JOB_SCHEMA.md) and the JobResult JSON: good documents parse as
// documented; every bad one is refused with the offending field named by its path.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base64.hpp"
#include "names.hpp"
#include "ringfence/judge.hpp"

using namespace ringfence;
using nlohmann::json;

namespace {

json minimal() { return json{{"language", "cpp17"}, {"source", "int main(){}"}}; }

// The error message of a document that must be refused.
std::string refusal(const json& document) {
    auto r = parse_job_json(document.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::input);
    return r.error().message;
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

#define CHECK_REFUSED(document, field_prefix)                             \
    do {                                                                  \
        std::string message_ = refusal(document);                         \
        INFO("message: " << message_);                                    \
        CHECK(starts_with(message_, field_prefix));                       \
    } while (0)

}  // namespace

TEST_CASE("a minimal job takes the documented defaults") {
    auto r = parse_job_json(minimal().dump());
    REQUIRE(r.ok());
    const Job& job = *r;
    CHECK(job.language == "cpp17");
    REQUIRE(job.sources.size() == 1);
    CHECK(job.sources[0].name.empty());  // named by the profile when normalized
    CHECK(job.sources[0].content == "int main(){}");
    REQUIRE(job.tests.size() == 1);      // no tests: run once, empty stdin, any output
    CHECK(job.tests[0].stdin_data.empty());
    CHECK_FALSE(job.tests[0].expected_output.has_value());
    CHECK(job.compare.mode == CompareMode::lines);
    CHECK(job.compare.case_sensitive);
    CHECK_FALSE(job.compare.space_change_sensitive);
    CHECK_FALSE(job.stop_on_first_failure);
    CHECK(job.isolation == "process");
    CHECK_FALSE(job.network);
    CHECK_FALSE(job.run_limits.cpu_time_ms.has_value());
}

TEST_CASE("a full job parses every field") {
    json j = {
        {"language", "cpp17"},
        {"compiler_flags", {"-O2", "-DONLINE_JUDGE"}},
        {"sources",
         {{{"name", "main.cpp"}, {"content", "aW50IG1haW4oKXt9"}, {"encoding", "base64"}},
          {{"name", "lib/util.hpp"}, {"content", "#pragma once\n"}}}},
        {"files", {{{"name", "data/table.txt"}, {"content", "1 2 3"}, {"encoding", "text"}}}},
        {"tests",
         {{{"stdin", "1 2\n"}, {"expected_output", "3\n"}},
          {{"stdin", "MyAz\n"}, {"expected_output", "Mw=="}, {"encoding", "base64"}, {"args", {"-v"}}},
          {{"stdin", ""}, {"expected_output", nullptr}}}},
        {"args", {"--fast"}},
        {"compile_limits", {{"cpu_time_ms", 5000}, {"memory_kib", 524288}}},
        {"run_limits",
         {{"cpu_time_ms", 1000}, {"wall_time_ms", 3000}, {"memory_kib", 65536}, {"processes", 4},
          {"output_bytes", 1024}, {"file_size_bytes", 0}}},
        {"compare", {{"mode", "float"}, {"float_absolute_tolerance", 1e-9}, {"float_relative_tolerance", 1e-6},
                     {"case_sensitive", false}, {"space_change_sensitive", true}}},
        {"stop_on_first_failure", true},
        {"isolation", "process"},
        {"network", false},
    };
    auto r = parse_job_json(j.dump());
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    const Job& job = *r;
    CHECK(job.compiler_flags == std::vector<std::string>{"-O2", "-DONLINE_JUDGE"});
    REQUIRE(job.sources.size() == 2);
    CHECK(job.sources[0].content == "int main(){}");
    CHECK(job.sources[1].name == "lib/util.hpp");
    REQUIRE(job.files.size() == 1);
    CHECK(job.files[0].name == "data/table.txt");
    REQUIRE(job.tests.size() == 3);
    CHECK(job.tests[0].stdin_data == "1 2\n");
    CHECK(job.tests[0].expected_output == "3\n");
    CHECK(job.tests[1].stdin_data == "3 3");
    CHECK(job.tests[1].expected_output == "3");
    CHECK(job.tests[1].args == std::vector<std::string>{"-v"});
    CHECK_FALSE(job.tests[2].expected_output.has_value());
    CHECK(job.args == std::vector<std::string>{"--fast"});
    CHECK(job.compile_limits.cpu_time_ms == 5000u);
    CHECK_FALSE(job.compile_limits.wall_time_ms.has_value());
    CHECK(job.run_limits.processes == 4u);
    CHECK(job.run_limits.file_size_bytes == 0u);
    CHECK(job.compare.mode == CompareMode::floats);
    CHECK(job.compare.float_absolute_tolerance == 1e-9);
    CHECK(job.compare.float_relative_tolerance == 1e-6);
    CHECK_FALSE(job.compare.case_sensitive);
    CHECK(job.compare.space_change_sensitive);
    CHECK(job.stop_on_first_failure);
}

TEST_CASE("compare shorthands and implied modes") {
    json j = minimal();
    j["compare"] = "tokens";
    CHECK(parse_job_json(j.dump())->compare.mode == CompareMode::tokens);
    j["compare"] = {{"float_tolerance", 1e-4}};  // Kattis: sets both, implies floats
    auto r = parse_job_json(j.dump());
    REQUIRE(r.ok());
    CHECK(r->compare.mode == CompareMode::floats);
    CHECK(r->compare.float_absolute_tolerance == 1e-4);
    CHECK(r->compare.float_relative_tolerance == 1e-4);
    j = minimal();
    j["checker"] = {{"language", "cpp17"}, {"source", "int main(){}"}};
    auto c = parse_job_json(j.dump());
    REQUIRE(c.ok());
    CHECK(c->compare.mode == CompareMode::checker);  // a checker implies the mode
    REQUIRE(c->checker.has_value());
    CHECK(c->checker->language == "cpp17");
    j = minimal();
    j["interactor"] = {{"language", "python3"}, {"sources", {{{"name", "i.py"}, {"content", "print(1)"}}}}};
    auto i = parse_job_json(j.dump());
    REQUIRE(i.ok());
    REQUIRE(i->interactor.has_value());
    CHECK(i->interactor->sources[0].name == "i.py");
    j = minimal();
    j["tests"] = {{{"stdin", "AAEC/w=="}, {"encoding", "base64"}}};
    auto b = parse_job_json(j.dump());
    REQUIRE(b.ok());
    CHECK(b->tests[0].stdin_data == std::string("\x00\x01\x02\xff", 4));
}

TEST_CASE("malformed documents") {
    auto r = parse_job_json("{\"language\": ");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::input);
    CHECK(r.error().message.find("not valid JSON") != std::string::npos);
    CHECK_FALSE(parse_job_json("").ok());
    // Well-formed, but the number overflows a double: refused, never thrown (found by fuzzing).
    auto overflow = parse_job_json("{\"language\": \"c\", \"x\": 1e999999}");
    REQUIRE_FALSE(overflow.ok());
    CHECK(overflow.error().kind == ErrorKind::input);
    CHECK(overflow.error().message.find("number overflow") != std::string::npos);
    CHECK(refusal(json::array()).find("expected an object") != std::string::npos);
    CHECK(refusal(json("text")).find("expected an object") != std::string::npos);
}

TEST_CASE("every bad field is named by its path") {
    json j;

    CHECK_REFUSED(json({{"source", "x"}}), "language: required");
    CHECK_REFUSED(json({{"language", 5}, {"source", "x"}}), "language: expected a string");
    CHECK_REFUSED(json({{"language", "cpp17"}}), "sources: required");

    j = minimal(); j["langauge"] = "c";
    CHECK(refusal(j) == "langauge: unknown field (did you mean \"language\"?)");
    j = minimal(); j["stop_on_first_failur"] = true;
    CHECK_REFUSED(j, "stop_on_first_failur: unknown field (did you mean \"stop_on_first_failure\"?)");
    j = minimal(); j["whatever"] = 1;
    CHECK(refusal(j) == "whatever: unknown field");

    j = minimal(); j["compiler_flags"] = "-O2";
    CHECK_REFUSED(j, "compiler_flags: expected an array of strings");
    j = minimal(); j["compiler_flags"] = {"-O2", 3};
    CHECK_REFUSED(j, "compiler_flags[1]: expected a string");
    j = minimal(); j["compiler_flags"] = {std::string("-O2\0x", 5)};
    CHECK_REFUSED(j, "compiler_flags[0]: must not contain a NUL");

    j = minimal(); j["sources"] = {{{"content", "x"}}};
    CHECK_REFUSED(j, "source: give either");
    j = minimal(); j.erase("source"); j["sources"] = json::array();
    CHECK_REFUSED(j, "sources: must hold at least one");
    j = minimal(); j.erase("source"); j["sources"] = {{{"name", "a.cpp"}}};
    CHECK_REFUSED(j, "sources[0].content: required");
    j = minimal(); j.erase("source"); j["sources"] = {{{"content", "x"}}, {{"content", "y"}}};
    CHECK_REFUSED(j, "sources[1].name: required");
    j = minimal(); j.erase("source"); j["sources"] = {{{"content", "x"}, {"encoding", "hex"}}};
    CHECK_REFUSED(j, "sources[0].encoding: expected \"text\" or \"base64\"");
    j = minimal(); j.erase("source"); j["sources"] = {{{"content", "!!!!"}, {"encoding", "base64"}}};
    CHECK_REFUSED(j, "sources[0].content: invalid base64 at offset 0");
    j = minimal(); j.erase("source"); j["sources"] = {{{"content", "x"}, {"nmae", "a"}}};
    CHECK_REFUSED(j, "sources[0].nmae: unknown field (did you mean \"name\"?)");
    j = minimal(); j.erase("source"); j["sources"] = {{{"content", "x"}, {"name", 7}}};
    CHECK_REFUSED(j, "sources[0].name: expected a string");

    j = minimal(); j["files"] = {{{"name", "data.txt"}}};
    CHECK_REFUSED(j, "files[0].content: required");
    j = minimal(); j["files"] = {{{"content", "x"}}};
    CHECK_REFUSED(j, "files[0].name: required");
    j = minimal(); j["files"] = {{{"name", "a"}, {"content", ""}}, {{"name", "a"}, {"content", ""}}};
    CHECK_REFUSED(j, "files[1].name: \"a\" clashes with files[0].name");
    j = minimal(); j["files"] = {{{"name", "a"}, {"content", ""}}, {{"name", "a/b"}, {"content", ""}}};
    CHECK_REFUSED(j, "files[1].name: \"a/b\" clashes with files[0].name");
    j = minimal(); j["files"] = {{{"name", "x"}, {"content", ""}}};
    j.erase("source"); j["sources"] = {{{"name", "x"}, {"content", ""}}};
    CHECK_REFUSED(j, "files[0].name: \"x\" clashes with sources[0].name");
    j = minimal(); j["files"] = json::object();
    CHECK_REFUSED(j, "files: expected an array");

    j = minimal(); j["tests"] = json::array();
    CHECK_REFUSED(j, "tests: must hold at least one test");
    j = minimal(); j["tests"] = {{{"stdin", 5}}};
    CHECK(refusal(j) == "tests[0].stdin: expected a string, got an integer");
    j = minimal(); j["tests"] = {{{"stdin", ""}}, {{"stdin", ""}}, {{"stdin", json::array()}}};
    CHECK(refusal(j) == "tests[2].stdin: expected a string, got an array");
    j = minimal(); j["tests"] = {{{"expected", "3"}}};
    CHECK_REFUSED(j, "tests[0].expected: unknown field (did you mean \"expected_output\"?)");
    j = minimal(); j["tests"] = {{{"expected_output", "%%"}, {"encoding", "base64"}}};
    CHECK_REFUSED(j, "tests[0].expected_output: invalid base64");
    j = minimal(); j["tests"] = {{{"args", {1}}}};
    CHECK_REFUSED(j, "tests[0].args[0]: expected a string");
    j = minimal(); j["tests"] = {1};
    CHECK_REFUSED(j, "tests[0]: expected an object");

    j = minimal(); j["args"] = {"a", nullptr};
    CHECK_REFUSED(j, "args[1]: expected a string");

    j = minimal(); j["run_limits"] = {{"cpu_time_ms", -5}};
    CHECK_REFUSED(j, "run_limits.cpu_time_ms: must not be negative");
    j = minimal(); j["run_limits"] = {{"cpu_time_ms", 0}};
    CHECK_REFUSED(j, "run_limits.cpu_time_ms: must be at least 1");
    j = minimal(); j["run_limits"] = {{"cpu_time_ms", 1.5}};
    CHECK_REFUSED(j, "run_limits.cpu_time_ms: expected a whole number");
    j = minimal(); j["run_limits"] = {{"cpu_time_ms", "1000"}};
    CHECK_REFUSED(j, "run_limits.cpu_time_ms: expected a whole number, got a string");
    j = minimal(); j["run_limits"] = {{"cpu_time", 1000}};
    CHECK_REFUSED(j, "run_limits.cpu_time: unknown field (did you mean \"cpu_time_ms\"?)");
    j = minimal(); j["run_limits"] = {{"memory_kib", 100}};
    CHECK_REFUSED(j, "run_limits.memory_kib: must be at least 1024");
    j = minimal(); j["compile_limits"] = {{"processes", 1e9}};
    CHECK_REFUSED(j, "compile_limits.processes: must be at most");
    j = minimal(); j["compile_limits"] = 5;
    CHECK_REFUSED(j, "compile_limits: expected an object");

    j = minimal(); j["compare"] = {{"mode", "fuzzy"}};
    CHECK_REFUSED(j, "compare.mode: unknown mode \"fuzzy\"");
    j = minimal(); j["compare"] = "fuzzy";
    CHECK_REFUSED(j, "compare: unknown mode \"fuzzy\"");
    j = minimal(); j["compare"] = {{"mode", "tokens"}, {"float_tolerance", 1e-6}};
    CHECK_REFUSED(j, "compare.mode: float tolerances need mode \"float\"");
    j = minimal(); j["compare"] = {{"float_tolerance", 1e-6}, {"float_absolute_tolerance", 1e-6}};
    CHECK_REFUSED(j, "compare.float_tolerance: sets both tolerances");
    j = minimal(); j["compare"] = {{"float_relative_tolerance", -1}};
    CHECK_REFUSED(j, "compare.float_relative_tolerance: must not be negative");
    j = minimal(); j["compare"] = {{"float_relative_tolerance", "small"}};
    CHECK_REFUSED(j, "compare.float_relative_tolerance: expected a number");
    j = minimal(); j["compare"] = {{"case_sensitive", "yes"}};
    CHECK_REFUSED(j, "compare.case_sensitive: expected true or false");
    j = minimal(); j["compare"] = {{"mode", "checker"}};
    CHECK_REFUSED(j, "checker: required by compare mode \"checker\"");

    j = minimal(); j["checker"] = {{"source", "x"}};
    CHECK_REFUSED(j, "checker.language: required");
    j = minimal(); j["checker"] = {{"language", "cpp17"}};
    CHECK_REFUSED(j, "checker.sources: required");
    j = minimal(); j["checker"] = {{"language", "cpp17"}, {"source", "x"}}; j["compare"] = "tokens";
    CHECK_REFUSED(j, "compare.mode: must be \"checker\"");
    j = minimal(); j["checker"] = {{"language", "cpp17"}, {"source", "x"}, {"limits", {}}};
    CHECK_REFUSED(j, "checker.limits: unknown field");
    j = minimal(); j["checker"] = {{"language", "python3"}, {"sources", {{{"name", "answer.txt"}, {"content", "x"}}}}};
    CHECK_REFUSED(j, "checker.sources[0].name: \"answer.txt\" is taken");
    j = minimal();
    j["interactor"] = {{"language", "python3"},
                       {"sources", {{{"name", "i.py"}, {"content", "x"}}, {{"name", "tout.txt/x.py"}, {"content", "x"}}}}};
    CHECK_REFUSED(j, "interactor.sources[1].name: \"tout.txt\" is taken");
    j = minimal(); j["interactor"] = {{"language", "cpp17"}, {"sources", {{{"name", "../i.cpp"}, {"content", ""}}}}};
    CHECK_REFUSED(j, "interactor.sources[0].name: must not contain '.' or '..'");
    j = minimal();
    j["checker"] = {{"language", "cpp17"}, {"source", "x"}};
    j["interactor"] = {{"language", "cpp17"}, {"source", "x"}};
    CHECK_REFUSED(j, "interactor: a job has either a checker or an interactor");

    j = minimal(); j["isolation"] = "container";
    CHECK_REFUSED(j, "isolation: expected \"process\" or \"vm\"");
    j = minimal(); j["network"] = "no";
    CHECK_REFUSED(j, "network: expected true or false");
    j = minimal(); j["stop_on_first_failure"] = 1;
    CHECK_REFUSED(j, "stop_on_first_failure: expected true or false");
}

TEST_CASE("file names are validated") {
    auto named = [](const std::string& name) {
        json j = minimal();
        j["files"] = {{{"name", name}, {"content", ""}}};
        return j;
    };
    CHECK_REFUSED(named(""), "files[0].name: must not be empty");
    CHECK_REFUSED(named("/etc/passwd"), "files[0].name: must be a relative path");
    CHECK_REFUSED(named("../x"), "files[0].name: must not contain '.' or '..'");
    CHECK_REFUSED(named("a/../../x"), "files[0].name: must not contain '.' or '..'");
    CHECK_REFUSED(named("./x"), "files[0].name: must not contain '.' or '..'");
    CHECK_REFUSED(named("a//b"), "files[0].name: must not contain empty path components");
    CHECK_REFUSED(named("a/"), "files[0].name: must not contain empty path components");
    CHECK_REFUSED(named(std::string("a\0b", 3)), "files[0].name: must not contain a NUL");
    CHECK_REFUSED(named(std::string(256, 'a')), "files[0].name: has a component longer than 255");
    CHECK_REFUSED(named("a/b/c/d/e/f/g/h/i"), "files[0].name: is nested deeper than 8");
    CHECK(judge::check_relative_name("a/b/c.txt").empty());
    CHECK(judge::check_relative_name(".hidden").empty());
    CHECK(judge::check_relative_name("..x").empty());
}

TEST_CASE("size caps are enforced") {
    json j = minimal();
    j["source"] = std::string((8u << 20) + 1, 'x');
    CHECK_REFUSED(j, "source: the job's sources exceed 8 MiB");
    j = minimal();
    j["args"] = std::vector<std::string>(65, "a");
    CHECK_REFUSED(j, "args: more than 64 items");
    j = minimal();
    j["args"] = {std::string(4097, 'a')};
    CHECK_REFUSED(j, "args[0]: longer than 4096 bytes");
    j = minimal();
    j["tests"] = std::vector<json>(1001, json::object());
    CHECK_REFUSED(j, "tests: more than 1000 tests");
    j = minimal();
    j["language"] = std::string(65, 'a');
    CHECK_REFUSED(j, "language: longer than 64 bytes");
}

TEST_CASE("base64 decoding") {
    auto decode = [](std::string_view text, Base64Error* error = nullptr) {
        return base64_decode(text, kBase64Tolerant, error);
    };
    CHECK(decode("") == "");
    CHECK(decode("YQ==") == "a");
    CHECK(decode("YQ") == "a");  // padding may be left out
    CHECK(decode("YWI=") == "ab");
    CHECK(decode("YWJj") == "abc");
    CHECK(decode("YW\nJj\r\n") == "abc");  // wrapped lines
    CHECK_FALSE(decode("Y").has_value());
    CHECK_FALSE(decode("YQ=a").has_value());
    CHECK_FALSE(decode("=YQ").has_value());
    CHECK_FALSE(decode("YQ===").has_value());
    CHECK_FALSE(decode("YR==").has_value());  // non-zero trailing bits
    CHECK_FALSE(decode("YW-j").has_value());  // URL-safe alphabet is not accepted
    Base64Error error;
    CHECK_FALSE(decode("YWJj*", &error).has_value());
    CHECK(error.offset == 4);
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t n = 0; n < 5; ++n) CHECK(decode(base64_encode(all.substr(0, n))) == all.substr(0, n));
    CHECK(decode(base64_encode(all)) == all);
    CHECK(base64_encode("abc") == "YWJj");
    CHECK(base64_encode("ab") == "YWI=");
    // The same decoder under the other rules: the VM protocol's and Judge0's.
    CHECK_FALSE(base64_decode("YQ").has_value());
    CHECK_FALSE(base64_decode("YW\nJj").has_value());
    CHECK(base64_decode("YWI=") == "ab");
    CHECK(base64_decode("YR==", kBase64Lenient) == "a");
    CHECK(base64_decode("Y W\nI", kBase64Lenient) == "ab");
    CHECK_FALSE(base64_decode("YW*I", kBase64Lenient).has_value());
}

TEST_CASE("the result JSON carries verdicts, figures and messages") {
    JobResult result;
    result.verdict = Verdict::wrong_answer;
    result.message = "Wrong answer: line 1";
    result.language_version = "12.2.0";
    result.max_cpu_time_us = 15'300;
    result.max_memory_kib = 2048;
    RunResult compiled;
    compiled.status = RunStatus::ok;
    result.compile = compiled;
    TestResult ok;
    ok.index = 0;
    ok.verdict = Verdict::accepted;
    ok.run.status = RunStatus::ok;
    ok.run.stdout_data = "3\n";
    TestResult tle;
    tle.index = 1;
    tle.verdict = Verdict::time_limit_exceeded;
    tle.time_limit_kind = "wall";
    TestResult skipped;
    skipped.index = 2;
    skipped.verdict = Verdict::skipped;
    result.tests = {ok, tle, skipped};
    auto j = json::parse(to_json(result));
    CHECK(j["verdict"] == "wrong_answer");
    CHECK(j["message"] == "Wrong answer: line 1");
    CHECK(j["language_version"] == "12.2.0");
    CHECK(j["max_cpu_time_ms"] == 15);
    CHECK(j["max_memory_kib"] == 2048);
    CHECK(j["compile"]["status"] == "ok");
    CHECK(j["internal_error"].is_null());
    REQUIRE(j["tests"].size() == 3);
    CHECK(j["tests"][0]["run"]["stdout"] == "3\n");
    CHECK(j["tests"][0]["time_limit_kind"].is_null());
    CHECK(j["tests"][1]["verdict"] == "time_limit_exceeded");
    CHECK(j["tests"][1]["time_limit_kind"] == "wall");
    CHECK(j["tests"][2]["run"].is_null());
    result.compile.reset();
    CHECK(json::parse(to_json(result))["compile"].is_null());
}

TEST_CASE("verdict names round-trip") {
    for (auto v : {Verdict::accepted, Verdict::wrong_answer, Verdict::presentation_error,
                   Verdict::time_limit_exceeded, Verdict::memory_limit_exceeded, Verdict::output_limit_exceeded,
                   Verdict::runtime_error, Verdict::compilation_error, Verdict::security_violation,
                   Verdict::internal_error, Verdict::skipped}) {
        auto back = verdict_from_string(to_string(v));
        REQUIRE(back.has_value());
        CHECK(*back == v);
    }
    CHECK_FALSE(verdict_from_string("ok").has_value());
}
