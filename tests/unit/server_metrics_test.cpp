// Prometheus text exposition and the audit record format.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "service/audit_log.hpp"
#include "service/metrics.hpp"

using namespace ringfence::server;

TEST_CASE("metrics render in the Prometheus text format") {
    Metrics m;
    m.job_finished("accepted", "python3", "process");
    m.job_finished("accepted", "python3", "process");
    m.job_finished("time_limit_exceeded", "cpp17", "vm");
    m.rejection("rate_limit");
    m.queue_wait(0.003);
    m.queue_wait(20);
    m.http_request("judge0", 201);
    GaugeSnapshot g;
    g.queued_by_tenant = {{"a\"b", 3}, {"local", 0}};
    g.active_sandboxes = 2;
    g.workers = 4;
    std::string text = m.render(g);
    CHECK(text.find("# TYPE ringfence_queue_depth gauge\n") != std::string::npos);
    CHECK(text.find("ringfence_queue_depth{tenant=\"a\\\"b\"} 3\n") != std::string::npos);
    CHECK(text.find("ringfence_jobs_total{verdict=\"accepted\",language=\"python3\",tier=\"process\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("tier=\"vm\"} 1\n") != std::string::npos);
    CHECK(text.find("ringfence_rejections_total{reason=\"rate_limit\"} 1\n") != std::string::npos);
    CHECK(text.find("ringfence_active_sandboxes 2\n") != std::string::npos);
    CHECK(text.find("ringfence_queue_wait_seconds_bucket{le=\"0.005\"} 1\n") != std::string::npos);
    CHECK(text.find("ringfence_queue_wait_seconds_bucket{le=\"10\"} 1\n") != std::string::npos);
    CHECK(text.find("ringfence_queue_wait_seconds_bucket{le=\"30\"} 2\n") != std::string::npos);
    CHECK(text.find("ringfence_queue_wait_seconds_bucket{le=\"+Inf\"} 2\n") != std::string::npos);
    CHECK(text.find("ringfence_queue_wait_seconds_count 2\n") != std::string::npos);
    CHECK(text.find("ringfence_http_requests_total{api=\"judge0\",code=\"201\"} 1\n") != std::string::npos);
    for (const char* h : {"ringfence_sandbox_setup_seconds", "ringfence_compile_seconds", "ringfence_run_seconds"})
        CHECK(text.find(std::string("# TYPE ") + h + " histogram") != std::string::npos);
}

TEST_CASE("an audit record names tenant, job, test, language, tier, uid, limits, verdict, usage, violation") {
    ringfence::SandboxRecord r;
    r.purpose = "test";
    r.test_index = 3;
    r.language = "cpp17";
    r.limits.memory_kib = 65536;
    r.result.status = ringfence::RunStatus::security_violation;
    r.result.violation = "ptrace";
    r.result.host_uid = 2000000007;
    r.result.cpu_time_us = 1500;
    r.result.phases.from_pool = true;
    auto j = nlohmann::json::parse(AuditLog::sandbox_line("t1", "job-1", "process", r));
    CHECK(j["tenant"] == "t1");
    CHECK(j["job"] == "job-1");
    CHECK(j["test"] == 3);
    CHECK(j["language"] == "cpp17");
    CHECK(j["tier"] == "process");
    CHECK(j["host_uid"] == 2000000007u);
    CHECK(j["prepared_ahead"] == true);
    CHECK(j["limits"]["memory_kib"] == 65536);
    CHECK(j["verdict"] == "security_violation");
    CHECK(j["usage"]["cpu_time_us"] == 1500);
    CHECK(j["violation"] == "ptrace");
    CHECK(j["time"].get<std::string>().back() == 'Z');
}

TEST_CASE("timestamps are ISO 8601 UTC with milliseconds, as Judge0 clients parse them") {
    CHECK(iso8601_utc_ms(1733764975662) == "2024-12-09T17:22:55.662Z");
    CHECK(iso8601_utc_ms(0) == "1970-01-01T00:00:00.000Z");
}
