#include "callback_sender.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "callback_url.hpp"
#include "crypto.hpp"

namespace ringfence::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

std::string callback_signature(const std::string& secret, std::int64_t unix_seconds, const std::string& body) {
    std::string t = std::to_string(unix_seconds);
    return "t=" + t + ",sha256=" + hmac_sha256_hex(secret, t + "." + body);
}

CallbackAttempt send_callback(const PendingCallback& cb, const std::string& secret, const CallbackConfig& config) {
    CallbackAttempt out;
    auto url = parse_callback_url(cb.url);
    if (!url) {
        out.permanent_failure = true;
        out.error = url.error().message;
        return out;
    }
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    auto timeout = std::chrono::milliseconds(config.timeout_ms);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::request<http::string_body> request{cb.method == "PUT" ? http::verb::put : http::verb::post, url->target, 11};
    request.set(http::field::host, url->port == "80" ? url->host : url->host + ":" + url->port);
    request.set(http::field::user_agent, "ringfence-callback");
    request.set(http::field::content_type, "application/json");
    request.set("X-Ringfence-Job", cb.job_id);
    if (!secret.empty()) {
        auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
        request.set("X-Ringfence-Signature", callback_signature(secret, now.count(), cb.body));
    }
    request.body() = cb.body;
    request.prepare_payload();

    boost::system::error_code ec;
    auto results = resolver.resolve(url->host, url->port, ec);
    if (ec) {
        out.error = "resolve " + url->host + ": " + ec.message();
        return out;
    }
    // Connect only to vetted addresses: the check and the connection use the same answer.
    std::vector<tcp::endpoint> allowed;
    std::string refused;
    for (const auto& r : results) {
        std::string why = forbidden_address_reason(r.endpoint().address());
        if (why.empty() || config.allow_private_addresses) allowed.push_back(r.endpoint());
        else refused = r.endpoint().address().to_string() + " is " + why;
    }
    if (allowed.empty()) {
        out.permanent_failure = true;
        out.error = "callback address refused: " + refused;
        return out;
    }
    stream.expires_after(timeout);
    stream.async_connect(allowed, [&](boost::system::error_code e, const tcp::endpoint&) {
        if (e) {
            ec = e;
            return;
        }
        stream.expires_after(timeout);
        http::async_write(stream, request, [&](boost::system::error_code e2, std::size_t) {
            if (e2) {
                ec = e2;
                return;
            }
            stream.expires_after(timeout);
            http::async_read(stream, buffer, response, [&](boost::system::error_code e3, std::size_t) { ec = e3; });
        });
    });
    ioc.run();
    if (ec) {
        out.error = ec.message();
        return out;
    }
    out.status = response.result_int();
    out.delivered = out.status >= 200 && out.status < 300;
    if (!out.delivered) out.error = "HTTP " + std::to_string(out.status);
    return out;
}

CallbackSender::CallbackSender(JobStore& store, const CallbackConfig& config, Metrics& metrics, SecretFor secret_for)
    : store_(store), config_(config), metrics_(metrics), secret_for_(std::move(secret_for)) {}

CallbackSender::~CallbackSender() { stop(); }

void CallbackSender::start() { thread_ = std::thread([this] { loop(); }); }

void CallbackSender::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    cv_.notify_all();
}

void CallbackSender::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void CallbackSender::loop() {
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_ || woken_; });
            if (stop_) return;
            woken_ = false;
        }
        auto due = store_.due_callbacks(now_epoch_ms(), 64);
        if (!due) {
            spdlog::error("callbacks: {}", due.error().describe());
            continue;
        }
        for (const auto& cb : due.value()) {
            {
                std::lock_guard lock(mutex_);
                if (stop_) return;
            }
            CallbackAttempt a = send_callback(cb, secret_for_(cb.tenant), config_);
            unsigned tries = static_cast<unsigned>(cb.attempts) + 1;
            bool give_up = !a.delivered && (a.permanent_failure || tries >= config_.max_tries);
            std::uint64_t backoff = config_.backoff_initial_ms << std::min(tries - 1, 20u);
            backoff = std::min(backoff, config_.backoff_max_ms);
            auto r = store_.callback_attempted(cb.id, a.delivered, give_up,
                                               now_epoch_ms() + static_cast<std::int64_t>(backoff), a.error);
            if (!r) spdlog::error("callbacks: {}", r.error().describe());
            metrics_.callback_sent(a.delivered);
            if (!a.delivered)
                spdlog::warn("callback for job {} to {}: {}{}", cb.job_id, cb.url, a.error,
                             give_up ? " (giving up)" : " (will retry)");
        }
    }
}

}  // namespace ringfence::server
