#include "api_context.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>

namespace ringfence::server {
namespace {

std::optional<std::string> bearer_token(const ExchangePtr& ex) {
    auto auth = ex->header("Authorization");
    if (!auth) return std::nullopt;
    constexpr std::string_view kPrefix = "Bearer ";
    if (auth->size() > kPrefix.size() && std::equal(kPrefix.begin(), kPrefix.end(), auth->begin(),
                                                    [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        return auth->substr(kPrefix.size());
    return std::string();  // present but not a bearer token: an unknown key
}

std::string seconds_header(double s) { return std::to_string(static_cast<long long>(std::ceil(s))); }

}  // namespace

void respond_error(const ExchangePtr& ex, http::status status, const std::string& message) {
    ex->respond(json_response(ex->request, status, error_body(ex->api, message)));
}

const TenantConfig* admit(ApiContext& ctx, const ExchangePtr& ex, CredentialStyle style) {
    std::optional<std::string> key;
    if (style == CredentialStyle::judge0) {
        key = ex->header("X-Auth-Token");
        if (!key) key = ex->query_value("X-Auth-Token");
    } else {
        key = bearer_token(ex);
    }
    AuthResult auth = ctx.tenants.authenticate(key);
    if (auth.outcome != AuthOutcome::ok) {
        ctx.metrics.rejection("unauthenticated");
        std::string hint = style == CredentialStyle::judge0 ? "send the X-Auth-Token header"
                                                            : "send Authorization: Bearer <key>";
        respond_error(ex, http::status::unauthorized,
                      auth.outcome == AuthOutcome::missing ? "authentication required: " + hint : "unknown API key");
        return nullptr;
    }
    ex->tenant = auth.tenant->name;
    auto d = ctx.tenants.take_token(*auth.tenant);
    std::string limit = std::to_string(static_cast<long long>(auth.tenant->burst));
    std::string remaining = std::to_string(static_cast<long long>(d.remaining));
    std::string reset = seconds_header(d.reset_s);
    if (!d.allowed) {
        ctx.metrics.rejection("rate_limit");
        auto r = json_response(ex->request, http::status::too_many_requests,
                               error_body(ex->api, "rate limit exceeded for tenant \"" + auth.tenant->name + "\""));
        r.set(http::field::retry_after, seconds_header(d.retry_after_s));
        r.set("X-RateLimit-Limit", limit);
        r.set("X-RateLimit-Remaining", "0");
        r.set("X-RateLimit-Reset", reset);
        ex->respond(std::move(r));
        return nullptr;
    }
    auto inner = std::move(ex->respond);
    ex->respond = [inner = std::move(inner), limit, remaining, reset](Response r) {
        if (r.find("X-RateLimit-Limit") == r.end()) {
            r.set("X-RateLimit-Limit", limit);
            r.set("X-RateLimit-Remaining", remaining);
            r.set("X-RateLimit-Reset", reset);
        }
        inner(std::move(r));
    };
    return auth.tenant;
}

bool admit_jobs(ApiContext& ctx, const ExchangePtr& ex, const TenantConfig& tenant, std::size_t count) {
    if (ctx.draining) {
        ctx.metrics.rejection("draining");
        auto r = json_response(ex->request, http::status::service_unavailable,
                               error_body(ex->api, "server is shutting down"));
        r.set(http::field::retry_after, "5");
        ex->respond(std::move(r));
        return false;
    }
    if (ctx.scheduler.outstanding(tenant.name) + count > tenant.max_queued) {
        ctx.metrics.rejection("tenant_queue_quota");
        auto r = json_response(ex->request, http::status::too_many_requests,
                               error_body(ex->api, "tenant \"" + tenant.name + "\" has " +
                                                       std::to_string(tenant.max_queued) +
                                                       " jobs queued or running, its quota"));
        r.set(http::field::retry_after, "1");
        ex->respond(std::move(r));
        return false;
    }
    if (ctx.scheduler.outstanding_total() + count > ctx.config.max_queue_size) {
        ctx.metrics.rejection("queue_full");
        auto r = json_response(ex->request, http::status::service_unavailable, error_body(ex->api, "queue is full"));
        r.set(http::field::retry_after, "1");
        ex->respond(std::move(r));
        return false;
    }
    return true;
}

void await_job(ApiContext& ctx, const std::string& id, std::chrono::milliseconds max_wait,
               std::function<void(std::optional<JobRecord>)> ready) {
    struct State {
        std::atomic<bool> fired{false};
        boost::asio::steady_timer timer;
        std::function<void(std::optional<JobRecord>)> ready;
        explicit State(boost::asio::io_context& ioc) : timer(ioc) {}
    };
    auto state = std::make_shared<State>(ctx.ioc);
    state->ready = std::move(ready);
    auto fire = [&ctx, id, state] {
        if (state->fired.exchange(true)) return;
        state->timer.cancel();
        auto record = ctx.store.get(id);
        state->ready(record && record.value() ? record.value() : std::nullopt);
    };
    state->timer.expires_after(max_wait);
    state->timer.async_wait([fire](boost::system::error_code ec) {
        if (!ec) fire();
    });
    bool waiting = ctx.scheduler.when_finished(id, [&ctx, fire] { boost::asio::post(ctx.ioc, fire); });
    if (!waiting) boost::asio::post(ctx.ioc, fire);
}

std::optional<JobRecord> visible_job(ApiContext& ctx, const std::string& id, const TenantConfig& tenant) {
    auto r = ctx.store.get(id);
    if (!r || !r.value()) return std::nullopt;
    if (r.value()->tenant != tenant.name) return std::nullopt;
    return r.value();
}

}  // namespace ringfence::server
