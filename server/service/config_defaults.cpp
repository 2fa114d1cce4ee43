// The configuration's defaults: every key the file may set (config.hpp), as
// `ringfence serve --print-config` shows them before any override.
#include "config.hpp"

namespace ringfence::server {

using nlohmann::json;

json default_tenant_document() {
    return {{"name", "local"},          {"api_key_sha256", json::array()}, {"max_queued", 10000},
            {"max_concurrent", 0},      {"rate_per_second", 1000},         {"burst", 2000},
            {"ceilings", json::object()}, {"network", false},              {"isolation", "process"},
            {"admin", false},           {"callback_secret", ""}};
}

json default_config_document() {
    return {
        {"listen", "127.0.0.1:2358"},
        {"data_dir", ""},
        {"workers", 0},
        {"io_threads", 2},
        {"profiles_dir", ""},
        {"drain_grace_ms", 30000},
        {"max_queue_size", 10000},
        {"store", {{"synchronous", "full"}}},
        {"http",
         {{"max_connections", 512},
          {"max_body_bytes", 16 << 20},
          {"max_header_bytes", 16384},
          {"header_timeout_ms", 10000},
          {"body_timeout_ms", 30000},
          {"idle_timeout_ms", 60000},
          {"max_wait_ms", 120000}}},
        {"log", {{"dir", ""}, {"level", "info"}}},
        {"launcher", {{"runtime_dir", ""}, {"allow_rlimit_only", false}, {"pool_size", kDefaultPoolSize}, {"pool_max", kDefaultPoolMax}}},
        {"judge", {{"test_concurrency", 2}}},
        {"callbacks",
         {{"allow_private_addresses", false},
          {"max_tries", 5},
          {"timeout_ms", 5000},
          {"backoff_initial_ms", 1000},
          {"backoff_max_ms", 300000},
          {"secret", ""}}},
        // The micro-VM tier; any other key of vm::VmConfig may be added (sandbox/vm/host/config.hpp).
        {"vm", {{"enabled", false}, {"allow_tcg", false}, {"image_dir", ""}, {"pool_size", 0}}},
        {"anonymous_tenant", "local"},
        // The implicit local tenant administers itself (Judge0 list and delete work out of the box).
        {"tenants", json::array({[] {
             json local = default_tenant_document();
             local["admin"] = true;
             return local;
         }()})},
        {"judge0",
         {{"version", "1.13.1"},
          {"maintenance_mode", false},
          {"maintenance_message", "Judge0 is currently in maintenance."},
          {"enable_wait_result", true},
          {"enable_compiler_options", true},
          {"allowed_languages_for_compile_options", json::array()},
          {"enable_command_line_arguments", true},
          {"enable_submission_delete", true},
          {"enable_callbacks", true},
          {"enable_additional_files", false},
          {"max_extract_size", 10240},
          {"enable_batched_submissions", true},
          {"max_submission_batch_size", 20},
          {"submission_cache_duration", 1.0},
          {"use_docs_as_homepage", false},
          {"allow_enable_network", false},
          {"enable_network", false},
          {"allow_enable_per_process_and_thread_time_limit", false},
          {"allow_enable_per_process_and_thread_memory_limit", false},
          {"enable_per_process_and_thread_time_limit", false},
          {"enable_per_process_and_thread_memory_limit", false},
          {"cpu_time_limit", 5.0},
          {"max_cpu_time_limit", 15.0},
          {"cpu_extra_time", 1.0},
          {"max_cpu_extra_time", 5.0},
          {"wall_time_limit", 10.0},
          {"max_wall_time_limit", 20.0},
          {"memory_limit", 128000},
          {"max_memory_limit", 512000},
          {"stack_limit", 64000},
          {"max_stack_limit", 128000},
          {"max_processes_and_or_threads", 60},
          {"max_max_processes_and_or_threads", 120},
          {"max_file_size", 1024},
          {"max_max_file_size", 4096},
          {"number_of_runs", 1},
          {"max_number_of_runs", 20},
          {"redirect_stderr_to_stdout", false}}},
        {"piston",
         {{"output_max_size", 65536},
          {"compile_timeout", 10000},
          {"run_timeout", 3000},
          {"compile_cpu_time", 10000},
          {"run_cpu_time", 3000},
          {"compile_memory_limit", -1},
          {"run_memory_limit", -1},
          {"init_timeout_ms", 1000},
          {"ws_max_message_bytes", 1 << 20},
          {"max_streams", 64}}},
    };
}

}  // namespace ringfence::server
