// Piston v2 compatibility without running anything: versions, request
// validation with Piston's messages, and the stage shape of results.
#include <doctest/doctest.h>

#include "api/piston_request.hpp"
#include "service/base64.hpp"
#include "service/config.hpp"

using namespace ringfence;
using namespace ringfence::server;
using nlohmann::json;

namespace {

std::vector<LanguageInfo> languages() {
    LanguageInfo py;
    py.id = "python3";
    py.version = "3.11.2";
    py.available = true;
    py.piston_language = "python";
    py.piston_aliases = {"py", "py3", "python3"};
    LanguageInfo cpp;
    cpp.id = "cpp17";
    cpp.version = "12.2";
    cpp.available = true;
    cpp.compiled = true;
    cpp.piston_language = "c++";
    cpp.piston_aliases = {"cpp", "g++"};
    return {py, cpp};
}

json settings() { return default_config_document()["piston"]; }

}  // namespace

TEST_CASE("versions are semver and selectors match like Piston's") {
    CHECK(piston::semver("3.11.2") == "3.11.2");
    CHECK(piston::semver("12.2") == "12.2.0");
    CHECK(piston::semver("17.0.9+9") == "17.0.9");
    CHECK(piston::semver("") == "0.0.0");
    for (const char* s : {"*", "3", "3.x", "3.11", "3.11.2", "3.11.x", ">=3.0.0", "<4", "^3.10", "~3.11", "=3.11.2"})
        CHECK_MESSAGE(piston::version_matches(s, "3.11.2"), s);
    for (const char* s : {"2", "3.10", "3.11.3", ">3.11.2", "<3", "^4.0", "~3.10", "abc"})
        CHECK_FALSE_MESSAGE(piston::version_matches(s, "3.11.2"), s);
}

TEST_CASE("runtimes resolve by name or alias") {
    auto langs = languages();
    auto rts = piston::runtimes(langs);
    REQUIRE(rts.size() == 2);
    CHECK(piston::resolve(rts, "python", "3.11.2")->info->id == "python3");
    CHECK(piston::resolve(rts, "py", "*")->info->id == "python3");
    CHECK(piston::resolve(rts, "c++", "12.2.0")->info->id == "cpp17");
    CHECK(piston::resolve(rts, "cpp", "*")->version == "12.2.0");
    CHECK(piston::resolve(rts, "python", "2.7") == nullptr);
    CHECK(piston::resolve(rts, "cobol", "*") == nullptr);
}

TEST_CASE("execute requests: Piston's defaults, messages and quirks") {
    auto langs = languages();
    auto rts = piston::runtimes(langs);
    auto ok = piston::validate({{"language", "py"},
                                {"version", "*"},
                                {"files", {{{"content", "print(input())"}}}},
                                {"stdin", "hi"},
                                {"args", {"1", "2", "3"}},
                                {"run_memory_limit", -1}},
                               rts, settings());
    REQUIRE(ok.error.empty());
    auto job = piston::to_job(ok.stored).value();
    CHECK(job.language == "python3");
    CHECK(job.tests[0].stdin_data == "hi\n");  // a final newline is forced
    CHECK(job.args == std::vector<std::string>{"1", "2", "3"});
    CHECK(job.run_limits.wall_time_ms.value() == 3000);
    CHECK(job.run_limits.cpu_time_ms.value() == 3000);
    CHECK(job.compile_limits.wall_time_ms.value() == 10000);
    CHECK_FALSE(job.run_limits.memory_kib.has_value());  // -1: no limit asked, the profile's default applies
    CHECK(job.sources[0].content == "print(input())");

    auto msg = [&](const json& body) { return piston::validate(body, rts, settings()).error; };
    json base = {{"language", "python"}, {"version", "3.11.2"}, {"files", {{{"content", "x"}}}}};
    CHECK(msg(json::object()) == "language is required as a string");
    CHECK(msg({{"language", "python"}}) == "version is required as a string");
    CHECK(msg({{"language", "python"}, {"version", "3"}}) == "files is required as an array");
    CHECK(msg({{"language", "python"}, {"version", "2"}, {"files", json::array()}}) == "python-2 runtime is unknown");
    json bad = base;
    bad["files"] = {{{"name", "x.py"}}};
    CHECK(msg(bad) == "files[0].content is required as a string");
    bad = base;
    bad["run_timeout"] = "soon";
    CHECK(msg(bad) == "If specified, run_timeout must be a number");
    bad["run_timeout"] = 999999;
    CHECK(msg(bad) == "run_timeout cannot exceed the configured limit of 3000");
    bad["run_timeout"] = -5;
    CHECK(msg(bad) == "run_timeout must be non-negative");
    bad = base;
    bad["files"] = {{{"name", "../../etc/passwd"}, {"content", "x"}}};
    CHECK(msg(bad).find("escapes") != std::string::npos);
    bad["files"] = {{{"content", base64_encode("x")}, {"encoding", "base64"}}};
    CHECK(msg(bad) == "files must include at least one utf8 encoded file");
}

TEST_CASE("files: the first utf8 file is the entry; base64 and hex are decoded") {
    auto langs = languages();
    auto rts = piston::runtimes(langs);
    auto p = piston::validate({{"language", "cpp"},
                               {"version", "*"},
                               {"files",
                                {{{"name", "data.bin"}, {"content", base64_encode("\x01\x02")}, {"encoding", "base64"}},
                                 {{"content", "int main(){}"}},
                                 {{"name", "h.txt"}, {"content", "4142"}, {"encoding", "hex"}}}}},
                              rts, settings());
    REQUIRE(p.error.empty());
    auto job = piston::to_job(p.stored).value();
    REQUIRE(job.sources.size() == 1);
    CHECK(job.sources[0].content == "int main(){}");
    REQUIRE(job.files.size() == 2);
    CHECK(job.files[0].content == "\x01\x02");
    CHECK(job.files[1].name == "h.txt");
    CHECK(job.files[1].content == "AB");
}

TEST_CASE("stages: units, status letters, forced SIGKILL, compile failure copied to run") {
    RunResult ok;
    ok.status = RunStatus::ok;
    ok.stdout_data = "hi\n";
    ok.cpu_time_us = 8000;
    ok.wall_time_us = 154000;
    ok.memory_kib = 1000;
    auto s = piston::stage(ok, 1024);
    CHECK(s["stdout"] == "hi\n");
    CHECK(s["output"] == "hi\n");
    CHECK(s["code"] == 0);
    CHECK(s["signal"].is_null());
    CHECK(s["status"].is_null());
    CHECK(s["cpu_time"] == 8);
    CHECK(s["wall_time"] == 154);
    CHECK(s["memory"] == 1024000);
    RunResult tle = ok;
    tle.status = RunStatus::wall_time_limit;
    auto t = piston::stage(tle, 1024);
    CHECK(t["status"] == "TO");
    CHECK(t["signal"] == "SIGKILL");
    CHECK(t["code"].is_null());
    RunResult seg = ok;
    seg.status = RunStatus::signaled;
    seg.signal = 11;
    seg.signal_name = "SIGSEGV";
    CHECK(piston::stage(seg, 1024)["status"] == "SG");
    CHECK(piston::stage(seg, 1024)["signal"] == "SIGSEGV");
    RunResult big = ok;
    big.stdout_data = std::string(5000, 'x');
    CHECK(piston::stage(big, 1024)["stdout"].get<std::string>().size() == 1024);

    JobResult ce;
    ce.verdict = Verdict::compilation_error;
    RunResult compile;
    compile.status = RunStatus::nonzero_exit;
    compile.exit_code = 1;
    ce.compile = compile;
    ce.compile_output = "error: expected ';'";
    auto o = piston::outcome(ce, {{"language", "c++"}, {"version", "12.2.0"}, {"output_max_size", 1024}});
    CHECK(o["compile"]["stderr"] == "error: expected ';'");
    CHECK(o["run"] == o["compile"]);
    CHECK(o["compile"]["code"] == 1);
}
