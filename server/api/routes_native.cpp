#include "routes_native.hpp"

#include <variant>

#include "native_codec.hpp"
#include "service/callback_url.hpp"
#include "service/crypto.hpp"
#include "service/tenant_policy.hpp"

namespace ringfence::server {
namespace {

using nlohmann::json;

struct Refusal {
    http::status status;
    std::string message;
};

bool truthy(const std::optional<std::string>& v) { return v && (*v == "true" || *v == "1"); }

// Everything a native job must pass before it is accepted; `path` prefixes
// field names inside a batch ("runs[2].").
std::variant<JobRecord, Refusal> accept_job(ApiContext& ctx, const TenantConfig& tenant, json body,
                                            const std::string& path) {
    if (!body.is_object()) return Refusal{http::status::unprocessable_entity, path + "job: expected a JSON object"};
    JobRecord record;
    if (body.contains("callback_url")) {
        const json& cb = body["callback_url"];
        if (!cb.is_null()) {
            if (!cb.is_string())
                return Refusal{http::status::unprocessable_entity, path + "callback_url: expected a string"};
            auto url = validate_callback_url(cb.get<std::string>(), ctx.config.callbacks.allow_private_addresses);
            if (!url) return Refusal{http::status::unprocessable_entity, path + url.error().message};
            record.callback_url = cb.get<std::string>();
        }
        body.erase("callback_url");
    }
    record.request = dump_json(body);
    auto job = parse_job_json(record.request);
    if (!job) return Refusal{http::status::unprocessable_entity, path + job.error().message};
    const LanguageInfo* lang = ctx.languages.find_language(job->language);
    if (!lang)
        return Refusal{http::status::unprocessable_entity,
                       path + "language: unknown language \"" + job->language + "\" (GET /v1/languages lists them)"};
    if (!lang->available)
        return Refusal{http::status::unprocessable_entity,
                       path + "language: \"" + job->language + "\" is not available on this host: " +
                           lang->unavailable_reason};
    if (auto denial = check_job_policy(job.value(), tenant))
        return Refusal{denial->forbidden ? http::status::forbidden : http::status::unprocessable_entity,
                       path + denial->message};
    TierChoice tier = choose_tier(tenant, job->isolation, ctx.vm_unavailable);
    if (!tier.error.empty())
        return Refusal{tenant.isolation == "vm" ? http::status::service_unavailable : http::status::unprocessable_entity,
                       path + tier.error};
    auto normalized = ctx.executors.at(tier.tier)->normalize(job.value());
    if (!normalized) return Refusal{http::status::unprocessable_entity, path + normalized.error().message};
    record.id = random_uuid_v4();
    record.tenant = tenant.name;
    record.api = "native";
    record.language = job->language;
    record.tier = tier.tier;
    record.created_ms = now_epoch_ms();
    return record;
}

std::optional<json> parse_body(const ExchangePtr& ex) {
    json body = json::parse(ex->request.body(), nullptr, false);
    if (body.is_discarded()) {
        respond_error(ex, http::status::bad_request, "malformed JSON in the request body");
        return std::nullopt;
    }
    return body;
}

bool store_and_enqueue(ApiContext& ctx, const ExchangePtr& ex, std::vector<JobRecord>& records) {
    if (auto r = ctx.store.insert(records); !r) {
        respond_error(ex, http::status::internal_server_error, "could not store the job: " + r.error().message);
        return false;
    }
    ctx.scheduler.enqueue(records);
    return true;
}

void create_run(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::bearer);
    if (!tenant) return;
    auto body = parse_body(ex);
    if (!body) return;
    auto accepted = accept_job(ctx, *tenant, std::move(*body), "");
    if (auto* refusal = std::get_if<Refusal>(&accepted)) return respond_error(ex, refusal->status, refusal->message);
    if (!admit_jobs(ctx, ex, *tenant, 1)) return;
    std::vector<JobRecord> records{std::get<JobRecord>(std::move(accepted))};
    if (!store_and_enqueue(ctx, ex, records)) return;
    const std::string id = records[0].id;
    if (!truthy(ex->query_value("wait"))) {
        auto r = json_response(ex->request, http::status::created, {{"id", id}, {"state", "queued"}});
        r.set(http::field::location, "/v1/runs/" + id);
        return ex->respond(std::move(r));
    }
    await_job(ctx, id, std::chrono::milliseconds(ctx.config.http.max_wait_ms), [ex](std::optional<JobRecord> rec) {
        if (!rec) return respond_error(ex, http::status::internal_server_error, "job vanished from the store");
        bool finished = rec->state == JobState::done || rec->state == JobState::cancelled;
        ex->respond(json_response(ex->request, finished ? http::status::ok : http::status::accepted,
                                  native_run_document(*rec)));
    });
}

void create_batch(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::bearer);
    if (!tenant) return;
    auto body = parse_body(ex);
    if (!body) return;
    if (!body->is_object() || !body->contains("runs") || !(*body)["runs"].is_array())
        return respond_error(ex, http::status::unprocessable_entity, "runs: expected an array of jobs");
    json& runs = (*body)["runs"];
    if (runs.empty()) return respond_error(ex, http::status::unprocessable_entity, "runs: must hold at least one job");
    if (runs.size() > 1000) return respond_error(ex, http::status::unprocessable_entity, "runs: at most 1000 jobs");
    for (auto it = body->begin(); it != body->end(); ++it)
        if (it.key() != "runs" && it.key() != "callback_url")
            return respond_error(ex, http::status::unprocessable_entity, it.key() + ": unknown field");
    std::vector<JobRecord> records;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        json job = runs[i];
        if (job.is_object() && body->contains("callback_url") && !job.contains("callback_url"))
            job["callback_url"] = (*body)["callback_url"];
        auto accepted = accept_job(ctx, *tenant, std::move(job), "runs[" + std::to_string(i) + "].");
        if (auto* refusal = std::get_if<Refusal>(&accepted)) return respond_error(ex, refusal->status, refusal->message);
        records.push_back(std::get<JobRecord>(std::move(accepted)));
    }
    if (!admit_jobs(ctx, ex, *tenant, records.size())) return;
    if (!store_and_enqueue(ctx, ex, records)) return;
    json ids = json::array();
    for (const auto& r : records) ids.push_back({{"id", r.id}, {"state", "queued"}});
    ex->respond(json_response(ex->request, http::status::created, {{"runs", ids}}));
}

void get_run(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::bearer);
    if (!tenant) return;
    auto rec = visible_job(ctx, ex->params["id"], *tenant);
    if (!rec) return respond_error(ex, http::status::not_found, "no run with id \"" + ex->params["id"] + "\"");
    ex->respond(json_response(ex->request, http::status::ok, native_run_document(*rec)));
}

void delete_run(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::bearer);
    if (!tenant) return;
    const std::string id = ex->params["id"];
    auto rec = visible_job(ctx, id, *tenant);
    if (!rec) return respond_error(ex, http::status::not_found, "no run with id \"" + id + "\"");
    auto outcome = ctx.scheduler.cancel(id);
    if (outcome == Scheduler::CancelOutcome::not_active)
        return respond_error(ex, http::status::conflict, "run \"" + id + "\" has already finished");
    if (outcome == Scheduler::CancelOutcome::dequeued) {
        auto now = ctx.store.get(id);
        return ex->respond(json_response(ex->request, http::status::ok,
                                         native_run_document(now && now.value() ? *now.value() : *rec)));
    }
    // Running: the sandbox is being stopped; answer once it is.
    await_job(ctx, id, std::chrono::seconds(10), [ex, rec](std::optional<JobRecord> now) {
        ex->respond(json_response(ex->request, http::status::ok, native_run_document(now ? *now : *rec)));
    });
}

json language_json(const LanguageInfo& l) {
    return {{"id", l.id},
            {"name", l.name},
            {"version", l.version},
            {"available", l.available},
            {"unavailable_reason", l.available ? json() : json(l.unavailable_reason)},
            {"compiled", l.compiled},
            {"source_file", l.source_file},
            {"judge0_ids", l.judge0_ids},
            {"piston", {{"language", l.piston_language}, {"aliases", l.piston_aliases}}}};
}

}  // namespace

void add_native_routes(Router& router, ApiContext& ctx) {
    router.add(http::verb::post, "/v1/runs", "native", [&ctx](const ExchangePtr& ex) { create_run(ctx, ex); });
    router.add(http::verb::get, "/v1/runs/{id}", "native", [&ctx](const ExchangePtr& ex) { get_run(ctx, ex); });
    router.add(http::verb::delete_, "/v1/runs/{id}", "native", [&ctx](const ExchangePtr& ex) { delete_run(ctx, ex); });
    router.add(http::verb::post, "/v1/batches", "native", [&ctx](const ExchangePtr& ex) { create_batch(ctx, ex); });
    router.add(http::verb::get, "/v1/languages", "native", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::bearer)) return;
        json out = json::array();
        for (const auto& l : ctx.languages.languages()) out.push_back(language_json(l));
        ex->respond(json_response(ex->request, http::status::ok, out));
    });
    router.add(http::verb::get, "/v1/openapi.json", "native", [](const ExchangePtr& ex) {
        ex->respond(json_response(ex->request, http::status::ok, native_openapi_document()));
    });
}

void add_ops_routes(Router& router, ApiContext& ctx) {
    router.add(http::verb::get, "/healthz", "ops", [](const ExchangePtr& ex) {
        ex->respond(json_response(ex->request, http::status::ok, {{"status", "ok"}}));
    });
    router.add(http::verb::get, "/readyz", "ops", [&ctx](const ExchangePtr& ex) {
        bool store_ok = ctx.store.count("", "").ok();
        bool ready = store_ok && !ctx.draining;
        json body = {{"status", ready ? "ready" : "not ready"},
                     {"store", store_ok},
                     {"draining", ctx.draining.load()},
                     {"queued", ctx.scheduler.outstanding_total()}};
        ex->respond(json_response(ex->request, ready ? http::status::ok : http::status::service_unavailable, body));
    });
    router.add(http::verb::get, "/metrics", "ops", [&ctx](const ExchangePtr& ex) {
        ex->respond(text_response(ex->request, http::status::ok, ctx.metrics.render(ctx.scheduler.gauges()),
                                  "text/plain; version=0.0.4; charset=utf-8"));
    });
}

}  // namespace ringfence::server
