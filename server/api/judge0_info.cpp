// Judge0's descriptive endpoints. The official SDK refuses to start unless
// /about says a version it knows and /config_info carries all 39 keys.
#include <fstream>
#include <sstream>

#include "judge0_submission.hpp"
#include "routes_judge0.hpp"

namespace ringfence::server {
namespace {

using nlohmann::json;

const char* const kConfigInfoKeys[] = {
    "allow_enable_network", "allow_enable_per_process_and_thread_memory_limit",
    "allow_enable_per_process_and_thread_time_limit", "allowed_languages_for_compile_options", "cpu_extra_time",
    "cpu_time_limit", "enable_additional_files", "enable_batched_submissions", "enable_callbacks",
    "enable_command_line_arguments", "enable_compiler_options", "enable_network",
    "enable_per_process_and_thread_memory_limit", "enable_per_process_and_thread_time_limit",
    "enable_submission_delete", "enable_wait_result", "maintenance_mode", "max_cpu_extra_time", "max_cpu_time_limit",
    "max_extract_size", "max_file_size", "max_max_file_size", "max_max_processes_and_or_threads", "max_memory_limit",
    "max_number_of_runs", "max_processes_and_or_threads", "max_stack_limit", "max_submission_batch_size",
    "max_wall_time_limit", "memory_limit", "number_of_runs", "redirect_stderr_to_stdout", "stack_limit",
    "submission_cache_duration", "use_docs_as_homepage", "wall_time_limit"};

void respond(const ExchangePtr& ex, const json& body) { ex->respond(json_response(ex->request, http::status::ok, body)); }

std::map<int, std::pair<const LanguageInfo*, std::string>> judge0_languages(ApiContext& ctx) {
    std::map<int, std::pair<const LanguageInfo*, std::string>> out;
    for (const auto& l : ctx.languages.languages()) {
        if (!l.available) continue;  // a language without its toolchain is not offered to Judge0 clients
        for (int id : l.judge0_ids) out.try_emplace(id, &l, judge0::language_name(l, id));
    }
    return out;
}

std::string read_file(const char* path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

json system_info() {
    json out = json::object();
    std::istringstream cpu(read_file("/proc/cpuinfo"));
    std::string line;
    int cpus = 0;
    while (std::getline(cpu, line)) {
        if (line.rfind("processor", 0) == 0) ++cpus;
        if (line.rfind("model name", 0) == 0 && !out.contains("Model name"))
            out["Model name"] = line.substr(line.find(':') + 2);
    }
    out["CPU(s)"] = std::to_string(cpus);
    std::istringstream mem(read_file("/proc/meminfo"));
    while (std::getline(mem, line)) {
        if (line.rfind("MemTotal:", 0) == 0) out["Mem"] = line.substr(9 + line.substr(9).find_first_not_of(' '));
        if (line.rfind("SwapTotal:", 0) == 0) out["Swap"] = line.substr(10 + line.substr(10).find_first_not_of(' '));
    }
    return out;
}

}  // namespace

void add_judge0_info_routes(Router& router, ApiContext& ctx) {
    router.add(http::verb::get, "/languages", "judge0", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::judge0)) return;
        json out = json::array();
        for (const auto& [id, l] : judge0_languages(ctx)) out.push_back({{"id", id}, {"name", l.second}});
        respond(ex, out);
    });
    router.add(http::verb::get, "/languages/all", "judge0", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::judge0)) return;
        json out = json::array();
        for (const auto& [id, l] : judge0_languages(ctx))
            out.push_back({{"id", id}, {"name", l.second}, {"is_archived", false}});
        respond(ex, out);
    });
    router.add(http::verb::get, "/languages/{id}", "judge0", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::judge0)) return;
        auto langs = judge0_languages(ctx);
        char* end = nullptr;
        long id = std::strtol(ex->params["id"].c_str(), &end, 10);
        auto it = *end == '\0' ? langs.find(static_cast<int>(id)) : langs.end();
        if (it == langs.end()) return ex->respond(json_response(ex->request, http::status::not_found, {{"error", "Not Found"}}));
        const LanguageInfo& l = *it->second.first;
        respond(ex, {{"id", it->first},
                     {"name", it->second.second},
                     {"is_archived", false},
                     {"source_file", l.source_file},
                     {"compile_cmd", l.compiled ? json("compiled with the " + l.id + " profile") : json()},
                     {"run_cmd", "run with the " + l.id + " profile"}});
    });
    router.add(http::verb::get, "/statuses", "judge0", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::judge0)) return;
        json out = json::array();
        for (int id = 1; id <= judge0::kMaxStatusId; ++id)
            out.push_back({{"id", id}, {"description", judge0::status_description(id)}});
        respond(ex, out);
    });
    router.add(http::verb::get, "/about", "judge0", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::judge0)) return;
        respond(ex, {{"version", ctx.config.judge0["version"]},
                     {"homepage", "https://ringfence.invalid/"},
                     {"source_code", "ringfence " RINGFENCE_VERSION},
                     {"maintainer", "Ringfence (Judge0 CE 1.13.1-compatible API)"}});
    });
    for (const char* path : {"/version", "/license", "/isolate"}) {
        router.add(http::verb::get, path, "judge0", [&ctx, path](const ExchangePtr& ex) {
            if (!admit(ctx, ex, CredentialStyle::judge0)) return;
            std::string p = path;
            std::string text = p == "/version"   ? ctx.config.judge0["version"].get<std::string>()
                               : p == "/license" ? "Ringfence: see the project's license file"
                                                 : "ringfence " RINGFENCE_VERSION " process tier (no isolate)";
            ex->respond(text_response(ex->request, http::status::ok, text, "text/plain; charset=utf-8"));
        });
    }
    router.add(http::verb::get, "/config_info", "judge0", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::judge0)) return;
        json out = json::object();
        for (const char* key : kConfigInfoKeys) out[key] = ctx.config.judge0[key];
        out["callbacks_max_tries"] = ctx.config.callbacks.max_tries;
        out["callbacks_timeout"] = static_cast<double>(ctx.config.callbacks.timeout_ms) / 1000.0;
        out["max_queue_size"] = ctx.config.max_queue_size;
        respond(ex, out);
    });
    router.add(http::verb::get, "/system_info", "judge0", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::judge0)) return;
        respond(ex, system_info());
    });
    router.add(http::verb::get, "/workers", "judge0", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::judge0)) return;
        GaugeSnapshot g = ctx.scheduler.gauges();
        std::uint64_t queued = 0, running = 0;
        for (const auto& [t, n] : g.queued_by_tenant) queued += n;
        for (const auto& [t, n] : g.running_by_tenant) running += n;
        respond(ex, json::array({{{"queue", ctx.config.judge0["version"]},
                                  {"size", queued},
                                  {"available", g.workers},
                                  {"idle", g.workers > running ? g.workers - running : 0},
                                  {"working", running},
                                  {"paused", 0},
                                  {"failed", 0}}}));
    });
    router.add(http::verb::post, "/authenticate", "judge0", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::judge0)) return;
        respond(ex, json::object());
    });
    router.add(http::verb::post, "/authorize", "judge0", [&ctx](const ExchangePtr& ex) {
        const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::judge0);
        if (!tenant) return;
        auto user = ex->header("X-Auth-User");
        if (!user) user = ex->query_value("X-Auth-User");
        auto a = ctx.tenants.authenticate(user);
        bool ok = tenant->admin || (user && a.outcome == AuthOutcome::ok && a.tenant->admin);
        ex->respond(json_response(ex->request, ok ? http::status::ok : http::status::forbidden,
                                  ok ? json::object() : json{{"error", "not authorized"}}));
    });
}

}  // namespace ringfence::server
