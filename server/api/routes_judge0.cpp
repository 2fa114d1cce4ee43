#include "routes_judge0.hpp"

#include <variant>

#include "judge0_submission.hpp"
#include "service/crypto.hpp"
#include "service/tenant_policy.hpp"

namespace ringfence::server {
namespace {

using nlohmann::json;

bool flag(const ExchangePtr& ex, const char* name) {
    auto v = ex->query_value(name);
    return v && *v == "true";  // Judge0: only "true" turns a flag on
}

void respond(const ExchangePtr& ex, http::status status, const json& body) {
    ex->respond(json_response(ex->request, status, body));
}

std::variant<JobRecord, json> accept_submission(ApiContext& ctx, const TenantConfig& tenant, const json& body,
                                                bool base64) {
    auto v = judge0::validate(body, base64, ctx.config.judge0, ctx.languages.languages(), tenant,
                              ctx.config.callbacks.allow_private_addresses);
    if (!v.ok()) return v.errors;
    TierChoice tier = choose_tier(tenant, "process", ctx.vm_unavailable);
    if (!tier.error.empty()) return json{{"base", {tier.error}}};
    auto job = judge0::to_job(v.stored);
    if (job) job = ctx.executors.at(tier.tier)->normalize(std::move(job.value()));
    if (!job) return json{{judge0::field_for_job_error(job.error().message), {job.error().message}}};
    judge0::apply_effective_limits(v.stored, job.value());
    JobRecord record;
    record.id = random_uuid_v4();
    record.tenant = tenant.name;
    record.api = "judge0";
    record.language = v.language->id;
    record.tier = tier.tier;
    record.created_ms = now_epoch_ms();
    record.callback_url = v.stored["callback_url"].is_string() ? v.stored["callback_url"].get<std::string>() : "";
    record.request = dump_json(v.stored);
    return record;
}

std::optional<json> body_json(const ExchangePtr& ex) {
    json body = json::parse(ex->request.body(), nullptr, false);
    if (body.is_discarded()) {
        respond(ex, http::status::bad_request, {{"error", "malformed JSON in the request body"}});
        return std::nullopt;
    }
    return body;
}

bool maintenance(ApiContext& ctx, const ExchangePtr& ex) {
    if (!ctx.config.judge0["maintenance_mode"].get<bool>()) return false;
    respond(ex, http::status::service_unavailable, {{"error", ctx.config.judge0["maintenance_message"]}});
    return true;
}

bool authorized(ApiContext& ctx, const ExchangePtr& ex, const TenantConfig& tenant) {
    if (tenant.admin) return true;
    auto user = ex->header("X-Auth-User");
    if (!user) user = ex->query_value("X-Auth-User");
    if (user) {
        auto a = ctx.tenants.authenticate(user);
        if (a.outcome == AuthOutcome::ok && a.tenant->admin) return true;
    }
    ctx.metrics.rejection("unauthorized");
    respond(ex, http::status::forbidden, {{"error", "not authorized: send X-Auth-User with an admin tenant's key"}});
    return false;
}

std::optional<std::vector<std::string>> fields_or_400(const ExchangePtr& ex) {
    auto f = judge0::parse_fields(ex->query_value("fields"));
    if (!f) {
        respond(ex, http::status::bad_request, {{"error", f.error().message}});
        return std::nullopt;
    }
    return f.value();
}

bool store_and_enqueue(ApiContext& ctx, const ExchangePtr& ex, std::vector<JobRecord>& records) {
    if (auto r = ctx.store.insert(records); !r) {
        respond(ex, http::status::internal_server_error, {{"error", "could not store the submission"}});
        return false;
    }
    ctx.scheduler.enqueue(records);
    return true;
}

void create(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::judge0);
    if (!tenant || maintenance(ctx, ex)) return;
    bool wait = flag(ex, "wait");
    if (wait && !ctx.config.judge0["enable_wait_result"].get<bool>())
        return respond(ex, http::status::bad_request, {{"error", "wait not allowed"}});
    auto fields = fields_or_400(ex);
    if (!fields) return;
    auto body = body_json(ex);
    if (!body) return;
    bool base64 = flag(ex, "base64_encoded");
    auto accepted = accept_submission(ctx, *tenant, *body, base64);
    if (auto* errors = std::get_if<json>(&accepted)) return respond(ex, http::status::unprocessable_entity, *errors);
    if (!admit_jobs(ctx, ex, *tenant, 1)) return;
    std::vector<JobRecord> records{std::get<JobRecord>(std::move(accepted))};
    if (!store_and_enqueue(ctx, ex, records)) return;
    std::string token = records[0].id;
    if (!wait) return respond(ex, http::status::created, {{"token", token}});
    await_job(ctx, token, std::chrono::milliseconds(ctx.config.http.max_wait_ms),
              [&ctx, ex, token, fields = *fields, base64](std::optional<JobRecord> rec) {
                  if (!rec) return respond(ex, http::status::created, {{"token", token}});
                  auto r = judge0::render(*rec, fields, base64, ctx.languages.languages());
                  if (!r.error.empty()) return respond(ex, http::status::created, {{"token", token}, {"error", r.error}});
                  respond(ex, http::status::created, r.body);
              });
}

void show(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::judge0);
    if (!tenant) return;
    auto fields = fields_or_400(ex);
    if (!fields) return;
    auto rec = visible_job(ctx, ex->params["token"], *tenant);
    if (!rec || rec->api != "judge0") return respond(ex, http::status::not_found, {{"error", "Not Found"}});
    auto r = judge0::render(*rec, *fields, flag(ex, "base64_encoded"), ctx.languages.languages());
    if (!r.error.empty()) return respond(ex, http::status::bad_request, {{"error", r.error}});
    respond(ex, http::status::ok, r.body);
}

void list(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::judge0);
    if (!tenant || !authorized(ctx, ex, *tenant)) return;
    auto fields = fields_or_400(ex);
    if (!fields) return;
    long long page = 1, per_page = 20;
    for (auto [name, slot] : {std::pair{"page", &page}, std::pair{"per_page", &per_page}}) {
        auto v = ex->query_value(name);
        if (!v) continue;
        char* end = nullptr;
        long long n = std::strtoll(v->c_str(), &end, 10);
        if (v->empty() || *end || (std::string(name) == "page" ? n <= 0 : n < 0))
            return respond(ex, http::status::bad_request, {{"error", std::string("invalid ") + name + ": " + *v}});
        *slot = std::min(n, 1000LL);
    }
    auto total = ctx.store.count(tenant->name, "judge0");
    auto rows = ctx.store.list(tenant->name, "judge0", static_cast<std::uint64_t>((page - 1) * per_page),
                               static_cast<std::uint64_t>(per_page));
    if (!total || !rows) return respond(ex, http::status::internal_server_error, {{"error", "store unavailable"}});
    json items = json::array();
    for (const auto& rec : rows.value()) {
        auto r = judge0::render(rec, *fields, flag(ex, "base64_encoded"), ctx.languages.languages());
        if (!r.error.empty()) return respond(ex, http::status::bad_request, {{"error", r.error}});
        items.push_back(r.body);
    }
    long long pages = per_page ? static_cast<long long>((total.value() + per_page - 1) / per_page) : 0;
    json meta = {{"current_page", page},
                 {"next_page", page < pages ? json(page + 1) : json()},
                 {"prev_page", page > 1 ? json(page - 1) : json()},
                 {"total_pages", pages},
                 {"total_count", total.value()}};
    respond(ex, http::status::ok, {{"submissions", items}, {"meta", meta}});
}

void destroy(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::judge0);
    if (!tenant || maintenance(ctx, ex) || !authorized(ctx, ex, *tenant)) return;
    if (!ctx.config.judge0["enable_submission_delete"].get<bool>())
        return respond(ex, http::status::bad_request, {{"error", "delete not allowed"}});
    auto fields = fields_or_400(ex);
    if (!fields) return;
    auto rec = visible_job(ctx, ex->params["token"], *tenant);
    if (!rec || rec->api != "judge0") return respond(ex, http::status::not_found, {{"error", "Not Found"}});
    if (rec->state == JobState::queued || rec->state == JobState::running) {
        int id = rec->state == JobState::queued ? 1 : 2;
        return respond(ex, http::status::bad_request,
                       {{"error", "submission cannot be deleted because its status is " + std::to_string(id) + " (" +
                                      judge0::status_description(id) + ")"}});
    }
    auto r = judge0::render(*rec, *fields, true, ctx.languages.languages());
    if (auto removed = ctx.store.remove(rec->id); !removed)
        return respond(ex, http::status::internal_server_error, {{"error", "store unavailable"}});
    respond(ex, http::status::ok, r.body);
}

void create_batch(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::judge0);
    if (!tenant || maintenance(ctx, ex)) return;
    if (!ctx.config.judge0["enable_batched_submissions"].get<bool>())
        return respond(ex, http::status::bad_request, {{"error", "batched submissions are not allowed"}});
    auto body = body_json(ex);
    if (!body) return;
    const json* items = body->is_object() && body->contains("submissions") ? &(*body)["submissions"] : nullptr;
    if (!items || !items->is_array() || items->empty())
        return respond(ex, http::status::bad_request, {{"error", "there should be at least one submission in a batch"}});
    auto max = ctx.config.judge0["max_submission_batch_size"].get<std::size_t>();
    if (items->size() > max)
        return respond(ex, http::status::bad_request,
                       {{"error", "number of submissions in a batch should be less than or equal to " +
                                      std::to_string(max)}});
    bool base64 = flag(ex, "base64_encoded");
    json answers = json::array();
    std::vector<JobRecord> records;
    for (const auto& item : *items) {
        auto accepted = accept_submission(ctx, *tenant, item, base64);
        if (auto* errors = std::get_if<json>(&accepted)) {
            answers.push_back(*errors);
        } else {
            records.push_back(std::get<JobRecord>(std::move(accepted)));
            answers.push_back({{"token", records.back().id}});
        }
    }
    if (records.empty()) return respond(ex, http::status::unprocessable_entity, answers);
    if (!admit_jobs(ctx, ex, *tenant, records.size())) return;
    if (!store_and_enqueue(ctx, ex, records)) return;
    respond(ex, http::status::created, answers);
}

void show_batch(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::judge0);
    if (!tenant) return;
    auto fields = fields_or_400(ex);
    if (!fields) return;
    auto param = ex->query_value("tokens");
    if (!param) param = ex->header("tokens");
    std::vector<std::string> tokens;
    if (param) {
        std::size_t start = 0;
        while (start <= param->size()) {
            auto comma = param->find(',', start);
            std::string t = param->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!t.empty()) tokens.push_back(t);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    if (tokens.empty()) return respond(ex, http::status::bad_request, {{"error", "there should be at least one token"}});
    auto max = ctx.config.judge0["max_submission_batch_size"].get<std::size_t>();
    if (tokens.size() > max)
        return respond(ex, http::status::bad_request,
                       {{"error", "number of tokens should be less than or equal to " + std::to_string(max)}});
    json out = json::array();
    for (const auto& t : tokens) {
        auto rec = visible_job(ctx, t, *tenant);
        if (!rec || rec->api != "judge0") {
            out.push_back(nullptr);
            continue;
        }
        auto r = judge0::render(*rec, *fields, flag(ex, "base64_encoded"), ctx.languages.languages());
        if (!r.error.empty()) return respond(ex, http::status::bad_request, {{"error", r.error}});
        out.push_back(r.body);
    }
    respond(ex, http::status::ok, {{"submissions", out}});
}

}  // namespace

void add_judge0_routes(Router& router, ApiContext& ctx) {
    auto bind = [&ctx](void (*f)(ApiContext&, const ExchangePtr&)) {
        return [&ctx, f](const ExchangePtr& ex) { f(ctx, ex); };
    };
    router.add(http::verb::post, "/submissions", "judge0", bind(create));
    router.add(http::verb::get, "/submissions", "judge0", bind(list));
    router.add(http::verb::post, "/submissions/batch", "judge0", bind(create_batch));
    router.add(http::verb::get, "/submissions/batch", "judge0", bind(show_batch));
    router.add(http::verb::get, "/submissions/{token}", "judge0", bind(show));
    router.add(http::verb::delete_, "/submissions/{token}", "judge0", bind(destroy));
}

}  // namespace ringfence::server
