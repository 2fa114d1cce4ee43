// One client connection: HTTP/1.1 with keep-alive, asynchronous throughout.
// A WebSocket upgrade is routed like any request; its handler may take the
// connection over (Exchange::take_over). Slow clients are cut by timeouts
// (header, body, idle between requests), oversized bodies get 413; while a
// handler works (a synchronous run), the connection holds no thread and no timer.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "exchange.hpp"
#include "router.hpp"
#include "service/access_log.hpp"
#include "service/config.hpp"
#include "service/metrics.hpp"

namespace ringfence::server {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

struct SessionEnv {
    const Router& router;
    const HttpConfig& config;
    AccessLog& access_log;
    Metrics& metrics;
    std::atomic<unsigned>& open_connections;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, SessionEnv env);
    ~HttpSession();
    void start();

private:
    void read_header();
    void on_header(beast::error_code ec);
    void on_body(beast::error_code ec);
    void handle();
    void send(Response response);
    void log_access(const std::weak_ptr<Exchange>& exchange, unsigned status, std::size_t bytes);
    void fail_request(http::status status, const std::string& message);
    void linger_close();
    void close();

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_{8192};
    std::optional<http::request_parser<http::string_body>> parser_;
    SessionEnv env_;
    std::string remote_;
    bool first_request_ = true;
    bool responding_ = false;
    std::atomic<bool> taken_over_{false};  // a WebSocket session owns the stream now
    std::chrono::steady_clock::time_point started_;
};

}  // namespace ringfence::server
