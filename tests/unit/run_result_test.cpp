#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "ringfence/run_result.hpp"

using namespace ringfence;

TEST_CASE("every status name round-trips") {
    for (auto s : {RunStatus::ok, RunStatus::nonzero_exit, RunStatus::signaled, RunStatus::time_limit,
                   RunStatus::wall_time_limit, RunStatus::memory_limit, RunStatus::output_limit,
                   RunStatus::file_size_limit, RunStatus::process_limit,
                   RunStatus::security_violation, RunStatus::setup_error}) {
        auto back = run_status_from_string(to_string(s));
        REQUIRE(back.has_value());
        CHECK(*back == s);
    }
    CHECK_FALSE(run_status_from_string("accepted").has_value());
}

TEST_CASE("result JSON carries the documented fields") {
    RunResult r;
    r.status = RunStatus::security_violation;
    r.violation = "ptrace";
    r.signal = 31;
    r.signal_name = "SIGSYS";
    r.cpu_time_us = 12'345;
    r.wall_time_us = 20'999;
    r.memory_kib = 2048;
    r.measured_by = "cgroup-v1";
    r.stdout_data = std::string("bad\xff utf8");
    auto j = nlohmann::json::parse(to_json(r, true));
    CHECK(j["status"] == "security_violation");
    CHECK(j["violation"] == "ptrace");
    CHECK(j["cpu_time_ms"] == 12);
    CHECK(j["wall_time_ms"] == 20);
    CHECK(j["memory_kib"] == 2048);
    CHECK(j["signal_name"] == "SIGSYS");
    CHECK(j["measured_by"] == "cgroup-v1");
    CHECK(j["stdout_truncated"] == false);
    CHECK(j["exit_code"] == 0);
    CHECK(j["stdout"].get<std::string>().find("bad") == 0);
    RunResult plain;
    auto k = nlohmann::json::parse(to_json(plain));
    CHECK(k["violation"].is_null());
    CHECK_FALSE(k.contains("stdout"));
}
