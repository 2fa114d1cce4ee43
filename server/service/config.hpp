// The service's configuration: one JSON file, every key overridable by an
// environment variable RINGFENCE_<KEY_PATH> (path segments upper-cased and
// joined by "_": http.max_body_bytes -> RINGFENCE_HTTP_MAX_BODY_BYTES; arrays
// such as tenants take JSON). Documented in examples/ringfence.json.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ringfence/error.hpp"
#include "ringfence/job.hpp"

namespace ringfence::server {

// The launcher pool's defaults (launcher.pool_size per language in use,
// launcher.pool_max for all while big jobs come). `ringfence judge` and
// judge_bench size their pools after them.
inline constexpr unsigned kDefaultPoolSize = 16;
inline constexpr unsigned kDefaultPoolMax = 128;

// Upper bounds a tenant's jobs may ask for, field by field as a job states its
// limits; unset: only the profile's maxima apply.
using LimitCeilings = JobLimits;

struct TenantConfig {
    std::string name;
    std::vector<std::string> api_key_sha256;  // hex SHA-256 of each key, never the key
    std::uint64_t max_queued = 10'000;        // queued + running jobs
    unsigned max_concurrent = 0;              // 0: as many as there are workers
    double rate_per_second = 1'000;           // token bucket refill
    double burst = 2'000;                     // token bucket size
    LimitCeilings ceilings;
    bool network = false;                     // may jobs ask for network access
    std::string isolation = "process";        // "process" or "vm" (forced for every job)
    bool admin = false;                       // Judge0's X-Auth-User calls (list, delete)
    std::string callback_secret;              // HMAC key for this tenant's callbacks
};

struct HttpConfig {
    unsigned max_connections = 512;
    std::uint64_t max_body_bytes = 16ull << 20;
    std::uint32_t max_header_bytes = 16 * 1024;
    std::uint64_t header_timeout_ms = 10'000;
    std::uint64_t body_timeout_ms = 30'000;
    std::uint64_t idle_timeout_ms = 60'000;
    std::uint64_t max_wait_ms = 120'000;  // a synchronous request answers with the current state after this
};

struct CallbackConfig {
    bool allow_private_addresses = false;
    unsigned max_tries = 5;
    std::uint64_t timeout_ms = 5'000;
    std::uint64_t backoff_initial_ms = 1'000;
    std::uint64_t backoff_max_ms = 300'000;
    std::string secret;  // default HMAC key when the tenant has none
};

struct ServiceConfig {
    std::string listen = "127.0.0.1:2358";
    std::string data_dir;  // effective (defaulted) directory
    unsigned workers = 0;  // effective: > 0
    unsigned io_threads = 2;
    std::string profiles_dir;
    std::uint64_t drain_grace_ms = 30'000;
    std::uint64_t max_queue_size = 10'000;  // all tenants together; beyond: 503 "queue is full"
    std::string store_synchronous = "full";
    HttpConfig http;
    CallbackConfig callbacks;
    std::string log_dir;  // effective
    std::string log_level = "info";
    std::string launcher_runtime_dir;
    bool launcher_allow_rlimit_only = false;
    unsigned launcher_pool_size = 0;
    unsigned launcher_pool_max = 0;  // all languages together, while jobs of many tests want them
    unsigned judge_test_concurrency = 2;
    std::string anonymous_tenant;  // tenant of requests without credentials; "" none
    bool vm_enabled = false;       // start the micro-VM tier ("vm" executor)
    nlohmann::json vm;             // the "vm" section without "enabled": vm::parse_vm_config reads it
    std::vector<TenantConfig> tenants;
    nlohmann::json judge0;  // the knobs /config_info reports, by Judge0's names
    nlohmann::json piston;
    nlohmann::json effective;  // the whole effective document (--print-config)

    const TenantConfig* find_tenant(const std::string& name) const;
    bool has_api_keys() const;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

nlohmann::json default_config_document();
// One tenant entry with every key at its default (name "local").
nlohmann::json default_tenant_document();

// Defaults <- file (when given) <- environment <- overrides (command-line flags,
// by key path: {"listen", "0.0.0.0:2358"}). Errors are ErrorKind::input and
// name the key ("http.max_body_bytes: expected an unsigned integer").
Result<ServiceConfig> load_config(const std::optional<std::string>& file, const EnvLookup& env,
                                  const std::map<std::string, std::string>& overrides = {});

// "ADDR:PORT" -> address, port; "[::1]:2358" for IPv6.
Result<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text);
bool is_loopback_listen_address(const std::string& address);

// Refuses a listen address other than loopback when no tenant has an API key.
Result<void> check_exposure(const ServiceConfig& config);

}  // namespace ringfence::server
