// Configuration: defaults, file, environment overrides, validation, exposure.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "service/config.hpp"
#include "service/crypto.hpp"
#include "service/tenants.hpp"

using namespace ringfence::server;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

std::string write_temp(const std::string& text) {
    auto path = std::filesystem::temp_directory_path() / ("ringfence-config-" + random_uuid_v4() + ".json");
    std::ofstream(path) << text;
    return path.string();
}

}  // namespace

TEST_CASE("defaults: loopback on Judge0's port, one local anonymous tenant") {
    auto c = load_config(std::nullopt, env_of({}));
    REQUIRE(c.ok());
    CHECK(c->listen == "127.0.0.1:2358");
    CHECK(c->workers >= 1);
    CHECK(c->anonymous_tenant == "local");
    REQUIRE(c->tenants.size() == 1);
    CHECK(c->tenants[0].name == "local");
    CHECK_FALSE(c->has_api_keys());
    CHECK(c->judge0["version"] == "1.13.1");
    CHECK(c->launcher_pool_size == 16);
    CHECK(c->launcher_pool_max == 128);
    CHECK(c->effective["data_dir"] == c->data_dir);
}

TEST_CASE("every key is overridable from the environment, typed by its default") {
    auto c = load_config(std::nullopt, env_of({{"RINGFENCE_LISTEN", "127.0.0.1:9999"},
                                              {"RINGFENCE_HTTP_MAX_BODY_BYTES", "1234"},
                                              {"RINGFENCE_CALLBACKS_ALLOW_PRIVATE_ADDRESSES", "true"},
                                              {"RINGFENCE_JUDGE0_MAX_CPU_TIME_LIMIT", "7.5"},
                                              {"RINGFENCE_DATA_DIR", "/tmp/rf-data"},
                                              {"RINGFENCE_TENANTS", R"([{"name":"a","rate_per_second":5,"burst":5}])"},
                                              {"RINGFENCE_ANONYMOUS_TENANT", "a"}}));
    REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
    CHECK(c->listen == "127.0.0.1:9999");
    CHECK(c->http.max_body_bytes == 1234);
    CHECK(c->callbacks.allow_private_addresses);
    CHECK(c->judge0["max_cpu_time_limit"].get<double>() == 7.5);
    CHECK(c->data_dir == "/tmp/rf-data");
    CHECK(c->log_dir == "/tmp/rf-data/logs");
    REQUIRE(c->tenants.size() == 1);
    CHECK(c->tenants[0].rate_per_second == 5);
    CHECK(c->tenants[0].max_queued == 10000);  // default filled in
}

TEST_CASE("file, then environment, then command-line overrides") {
    auto path = write_temp(R"({"listen": "127.0.0.1:1111", "workers": 3, "http": {"idle_timeout_ms": 5}})");
    auto c = load_config(path, env_of({{"RINGFENCE_WORKERS", "4"}}), {{"listen", "127.0.0.1:2222"}});
    REQUIRE(c.ok());
    CHECK(c->workers == 4);
    CHECK(c->listen == "127.0.0.1:2222");
    CHECK(c->http.idle_timeout_ms == 5);
    CHECK(c->http.header_timeout_ms == 10000);
    std::filesystem::remove(path);
}

TEST_CASE("bad configuration names the key") {
    auto msg = [](std::optional<std::string> file, std::map<std::string, std::string> env) {
        auto c = load_config(file, env_of(env));
        REQUIRE_FALSE(c.ok());
        return c.error().message;
    };
    auto typo = write_temp(R"({"http": {"max_body_byte": 1}})");
    CHECK(msg(typo, {}).find("http.max_body_byte: unknown configuration key") != std::string::npos);
    auto broken = write_temp("{not json");
    CHECK(msg(broken, {}).find("not valid JSON") != std::string::npos);
    CHECK(msg(std::nullopt, {{"RINGFENCE_HTTP_MAX_BODY_BYTES", "lots"}}).find("RINGFENCE_HTTP_MAX_BODY_BYTES") !=
          std::string::npos);
    CHECK(msg(std::nullopt, {{"RINGFENCE_HTTP_MAX_BODY_BYTES", "-5"}}).find("http.max_body_bytes") != std::string::npos);
    CHECK(msg(std::nullopt, {{"RINGFENCE_LISTEN", "nowhere"}}).find("listen") != std::string::npos);
    CHECK(msg(std::nullopt, {{"RINGFENCE_LAUNCHER_POOL_MAX", "5000000000"}}).find("launcher.pool_max: at most") !=
          std::string::npos);
    CHECK(msg(std::nullopt, {{"RINGFENCE_TENANTS", R"([{"name":"a","isolation":"chroot"}])"}})
              .find("tenants[0].isolation") != std::string::npos);
    CHECK(msg(std::nullopt, {{"RINGFENCE_TENANTS", R"([{"name":"a","api_key_sha256":["abc"]}])"}})
              .find("tenants[0].api_key_sha256[0]") != std::string::npos);
    CHECK(msg(std::nullopt, {{"RINGFENCE_TENANTS", R"([{"name":"a"},{"name":"a"}])"}}).find("duplicate") !=
          std::string::npos);
    CHECK(msg(std::nullopt, {{"RINGFENCE_ANONYMOUS_TENANT", "ghost"}}).find("anonymous_tenant") != std::string::npos);
    CHECK(msg(std::nullopt, {{"RINGFENCE_JUDGE0_ENABLE_WAIT_RESULT", "maybe"}}).find("JUDGE0_ENABLE_WAIT_RESULT") !=
          std::string::npos);
    std::filesystem::remove(typo);
    std::filesystem::remove(broken);
}

TEST_CASE("listen addresses") {
    CHECK(parse_listen_address("127.0.0.1:2358").ok());
    CHECK(parse_listen_address("[::1]:80").value().first == "::1");
    CHECK_FALSE(parse_listen_address("127.0.0.1").ok());
    CHECK_FALSE(parse_listen_address("localhost:80").ok());
    CHECK_FALSE(parse_listen_address("1.2.3.4:70000").ok());
    CHECK(is_loopback_listen_address("127.0.0.1"));
    CHECK(is_loopback_listen_address("::1"));
    CHECK_FALSE(is_loopback_listen_address("0.0.0.0"));
}

TEST_CASE("API keys are matched by hash; no key means the anonymous tenant") {
    std::string key = "s3cret-key";
    auto c = load_config(std::nullopt,
                         env_of({{"RINGFENCE_TENANTS", R"([{"name":"a","api_key_sha256":["sha256:)" + sha256_hex(key) +
                                                           R"("]},{"name":"b"}])"},
                                 {"RINGFENCE_ANONYMOUS_TENANT", "b"}}));
    REQUIRE(c.ok());
    CHECK(c->has_api_keys());
    TenantRegistry reg(c.value());
    CHECK(reg.authenticate(key).tenant->name == "a");
    CHECK(reg.authenticate(std::nullopt).tenant->name == "b");
    CHECK(reg.authenticate(std::string("wrong")).outcome == AuthOutcome::unknown_key);
    auto none = load_config(std::nullopt, env_of({{"RINGFENCE_ANONYMOUS_TENANT", ""}}));
    REQUIRE(none.ok());
    TenantRegistry strict(none.value());
    CHECK(strict.authenticate(std::nullopt).outcome == AuthOutcome::missing);
}

TEST_CASE("token bucket: burst, refill, retry-after") {
    using Clock = TokenBucket::Clock;
    auto t0 = Clock::now();
    TokenBucket b(2.0, 3.0, t0);
    CHECK(b.take(t0).allowed);
    CHECK(b.take(t0).allowed);
    auto third = b.take(t0);
    CHECK(third.allowed);
    CHECK(third.remaining == 0);
    auto refused = b.take(t0);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after_s == doctest::Approx(0.5));
    CHECK(b.take(t0 + std::chrono::milliseconds(500)).allowed);
    CHECK_FALSE(b.take(t0 + std::chrono::milliseconds(500)).allowed);
    // Never more than the burst, however long it was idle.
    auto later = t0 + std::chrono::hours(1);
    int allowed = 0;
    for (int i = 0; i < 10; ++i) allowed += b.take(later).allowed;
    CHECK(allowed == 3);
}

TEST_CASE("a public address without API keys is refused with a clear message") {
    auto open = load_config(std::nullopt, env_of({{"RINGFENCE_LISTEN", "0.0.0.0:2358"}}));
    REQUIRE(open.ok());
    auto refused = check_exposure(open.value());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("no tenant has an API key") != std::string::npos);
    auto loopback = load_config(std::nullopt, env_of({}));
    CHECK(check_exposure(loopback.value()).ok());
    auto keyed = load_config(std::nullopt, env_of({{"RINGFENCE_LISTEN", "0.0.0.0:2358"},
                                                   {"RINGFENCE_ANONYMOUS_TENANT", ""},
                                                   {"RINGFENCE_TENANTS", R"([{"name":"a","api_key_sha256":[")" +
                                                                             sha256_hex("k") + R"("]}])"}}));
    REQUIRE(keyed.ok());
    CHECK(check_exposure(keyed.value()).ok());
}
