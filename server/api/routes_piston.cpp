#include "routes_piston.hpp"

#include "piston_request.hpp"
#include "piston_stream.hpp"
#include "service/crypto.hpp"
#include "service/tenant_policy.hpp"

namespace ringfence::server {
namespace {

using nlohmann::json;

void respond(const ExchangePtr& ex, http::status status, const json& body) {
    ex->respond(json_response(ex->request, status, body));
}

void execute(ApiContext& ctx, const ExchangePtr& ex) {
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::piston);
    if (!tenant) return;
    // Whatever the Content-Type says: piston-client sends JSON as text/plain.
    json body = json::parse(ex->request.body(), nullptr, false);
    if (body.is_discarded()) return respond(ex, http::status::bad_request, {{"message", "malformed JSON in the request body"}});
    auto rts = piston::runtimes(ctx.languages.languages());
    auto parsed = piston::validate(body, rts, ctx.config.piston);
    if (!parsed.error.empty()) return respond(ex, http::status::bad_request, {{"message", parsed.error}});
    TierChoice tier = choose_tier(*tenant, "process", ctx.vm_unavailable);
    if (!tier.error.empty()) return respond(ex, http::status::service_unavailable, {{"message", tier.error}});
    auto job = piston::to_job(parsed.stored);
    if (job) {
        if (auto denial = check_job_policy(job.value(), *tenant))
            return respond(ex, denial->forbidden ? http::status::forbidden : http::status::bad_request,
                           {{"message", denial->message}});
        job = ctx.executors.at(tier.tier)->normalize(std::move(job.value()));
    }
    if (!job) return respond(ex, http::status::bad_request, {{"message", job.error().message}});
    if (!admit_jobs(ctx, ex, *tenant, 1)) return;
    std::vector<JobRecord> records(1);
    JobRecord& r = records[0];
    r.id = random_uuid_v4();
    r.tenant = tenant->name;
    r.api = "piston";
    r.language = parsed.runtime->info->id;
    r.tier = tier.tier;
    r.created_ms = now_epoch_ms();
    r.request = dump_json(parsed.stored);
    if (auto stored = ctx.store.insert(records); !stored)
        return respond(ex, http::status::internal_server_error, {{"message", "could not store the job"}});
    ctx.scheduler.enqueue(records);
    await_job(ctx, r.id, std::chrono::milliseconds(ctx.config.http.max_wait_ms), [ex](std::optional<JobRecord> rec) {
        if (!rec || rec->state != JobState::done)
            return respond(ex, http::status::internal_server_error, {{"message", "the job did not finish in time"}});
        json result = json::parse(rec->result, nullptr, false);
        if (result.is_discarded()) return respond(ex, http::status::internal_server_error, {{"message", "internal error"}});
        respond(ex, http::status::ok, result);
    });
}

// GET /api/v2/connect: everything that can be refused with a plain HTTP answer
// is refused before the upgrade; the rest is the WebSocket session's.
void connect(ApiContext& ctx, const ExchangePtr& ex) {
    if (!ex->take_over)
        return respond(ex, http::status::upgrade_required,
                       {{"message", "/api/v2/connect is a WebSocket endpoint: send an Upgrade: websocket request"}});
    const TenantConfig* tenant = admit(ctx, ex, CredentialStyle::piston);
    if (!tenant) return;
    TierChoice tier = choose_tier(*tenant, "process", ctx.vm_unavailable);
    if (!tier.error.empty()) return respond(ex, http::status::service_unavailable, {{"message", tier.error}});
    if (auto why = ctx.executors.at(tier.tier)->stream_unsupported(); !why.empty())
        return respond(ex, http::status::service_unavailable, {{"message", why}});
    if (!admit_jobs(ctx, ex, *tenant, 1)) return;
    auto upgrade = ex->take_over();
    if (!upgrade) return;
    start_piston_stream(ctx, *tenant, std::move(*upgrade), std::move(ex->request));
}

}  // namespace

void add_piston_routes(Router& router, ApiContext& ctx) {
    router.add(http::verb::get, "/api/v2/runtimes", "piston", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::piston)) return;
        json out = json::array();
        for (const auto& r : piston::runtimes(ctx.languages.languages()))
            out.push_back({{"language", r.language}, {"version", r.version}, {"aliases", r.aliases}, {"runtime", r.info->id}});
        respond(ex, http::status::ok, out);
    });
    router.add(http::verb::post, "/api/v2/execute", "piston", [&ctx](const ExchangePtr& ex) { execute(ctx, ex); });
    router.add(http::verb::get, "/api/v2/connect", "piston", [&ctx](const ExchangePtr& ex) { connect(ctx, ex); });
    router.add(http::verb::get, "/api/v2/packages", "piston", [&ctx](const ExchangePtr& ex) {
        if (!admit(ctx, ex, CredentialStyle::piston)) return;
        json out = json::array();
        for (const auto& r : piston::runtimes(ctx.languages.languages()))
            out.push_back({{"language", r.language}, {"language_version", r.version}, {"installed", true}});
        respond(ex, http::status::ok, out);
    });
}

}  // namespace ringfence::server
