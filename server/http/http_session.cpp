#include "http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <array>
#include <boost/beast/websocket/rfc6455.hpp>

namespace ringfence::server {

HttpSession::HttpSession(tcp::socket socket, SessionEnv env) : stream_(std::move(socket)), env_(std::move(env)) {
    ++env_.open_connections;
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
}

HttpSession::~HttpSession() { --env_.open_connections; }

void HttpSession::start() {
    boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
}

void HttpSession::read_header() {
    parser_.emplace();
    parser_->header_limit(env_.config.max_header_bytes);
    parser_->body_limit(env_.config.max_body_bytes);
    auto ms = first_request_ ? env_.config.header_timeout_ms : env_.config.idle_timeout_ms;
    stream_.expires_after(std::chrono::milliseconds(ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void HttpSession::on_header(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == boost::asio::error::eof ||
        ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted)
        return close();
    if (ec == http::error::header_limit)
        return fail_request(http::status::request_header_fields_too_large, "request headers too large");
    if (ec == http::error::body_limit)  // Content-Length already above the limit
        return fail_request(http::status::payload_too_large,
                            "request body larger than " + std::to_string(env_.config.max_body_bytes) + " bytes");
    if (ec) return fail_request(http::status::bad_request, "malformed HTTP request: " + ec.message());
    first_request_ = false;
    if (beast::websocket::is_upgrade(parser_->get()) && parser_->is_done()) return handle();
    if (auto len = parser_->content_length(); len && *len > env_.config.max_body_bytes)
        return fail_request(http::status::payload_too_large,
                            "request body larger than " + std::to_string(env_.config.max_body_bytes) + " bytes");
    stream_.expires_after(std::chrono::milliseconds(env_.config.body_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_body(e); });
}

void HttpSession::on_body(beast::error_code ec) {
    if (ec == http::error::body_limit)
        return fail_request(http::status::payload_too_large,
                            "request body larger than " + std::to_string(env_.config.max_body_bytes) + " bytes");
    if (ec == beast::error::timeout || ec == boost::asio::error::eof || ec == http::error::end_of_stream ||
        ec == boost::asio::error::connection_reset)
        return close();
    if (ec) return fail_request(http::status::bad_request, "malformed HTTP request: " + ec.message());
    handle();
}

void HttpSession::handle() {
    auto ex = std::make_shared<Exchange>();
    ex->request = parser_->release();
    ex->remote = remote_;
    // No timer while the handler works: a synchronous run may take its full wall limit.
    stream_.expires_never();
    responding_ = true;
    std::weak_ptr<Exchange> weak = ex;
    auto self = shared_from_this();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    ex->respond = [self, weak, answered](Response response) {
        if (self->taken_over_ || answered->exchange(true)) return;
        boost::asio::post(self->stream_.get_executor(), [self, weak, r = std::move(response)]() mutable {
            self->log_access(weak, r.result_int(), r.body().size());
            self->send(std::move(r));
        });
    };
    if (beast::websocket::is_upgrade(ex->request)) {
        ex->take_over = [self, weak]() -> std::optional<Upgrade> {
            if (self->taken_over_.exchange(true)) return std::nullopt;
            self->log_access(weak, 101, 0);
            return Upgrade{std::move(self->stream_), self};
        };
    }
    if (!split_target(ex->request.target(), ex->path, ex->query)) {
        ex->api = "ops";
        return ex->respond(json_response(ex->request, http::status::bad_request, {{"error", "malformed URL encoding"}}));
    }
    try {
        env_.router.dispatch(ex);
    } catch (const std::exception& e) {
        // A handler bug must not leak a stack trace or kill the connection silently.
        ex->respond(json_response(ex->request, http::status::internal_server_error,
                                  error_body(ex->api, "internal error")));
    }
}

// The access log line and the request metric of one answered request (101: upgraded).
void HttpSession::log_access(const std::weak_ptr<Exchange>& exchange, unsigned status, std::size_t bytes) {
    AccessRecord rec;
    if (auto e = exchange.lock()) {
        rec.method = std::string(e->request.method_string());
        rec.target = std::string(e->request.target());
        rec.tenant = e->tenant;
        rec.user_agent = std::string(e->request[http::field::user_agent]);
        env_.metrics.http_request(e->api.empty() ? "ops" : e->api, status);
    }
    rec.remote = remote_;
    rec.status = status;
    rec.bytes = bytes;
    rec.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
    env_.access_log.write(rec);
}

void HttpSession::send(Response response) {
    auto shared = std::make_shared<Response>(std::move(response));
    stream_.expires_after(std::chrono::milliseconds(env_.config.body_timeout_ms));
    http::async_write(stream_, *shared, [self = shared_from_this(), shared](beast::error_code ec, std::size_t) {
        self->responding_ = false;
        if (ec) return self->close();
        if (!shared->keep_alive()) return self->linger_close();
        self->read_header();
    });
}

void HttpSession::fail_request(http::status status, const std::string& message) {
    Request dummy;
    dummy.version(11);
    dummy.keep_alive(false);
    auto r = json_response(dummy, status, {{"error", message}});
    r.keep_alive(false);
    env_.metrics.http_request("ops", static_cast<unsigned>(status));
    AccessRecord rec;
    rec.remote = remote_;
    rec.status = static_cast<unsigned>(status);
    env_.access_log.write(rec);
    send(std::move(r));
}

void HttpSession::linger_close() {
    // The client may still be sending the body we refused (413): read and drop
    // it for a moment, so that it reads our answer instead of a connection reset.
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    auto sink = std::make_shared<std::array<char, 16384>>();
    auto self = shared_from_this();
    auto drain = std::make_shared<std::function<void(beast::error_code, std::size_t)>>();
    *drain = [self, sink, drain](beast::error_code e, std::size_t) {
        if (e) {
            self->close();
            *drain = nullptr;  // breaks the self-reference
            return;
        }
        self->stream_.async_read_some(boost::asio::buffer(*sink), *drain);
    };
    stream_.async_read_some(boost::asio::buffer(*sink), *drain);
}

void HttpSession::close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
}

}  // namespace ringfence::server
