#include "http_listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace ringfence::server {

HttpListener::HttpListener(boost::asio::io_context& ioc, SessionEnv env)
    : ioc_(ioc), acceptor_(boost::asio::make_strand(ioc)), env_(std::move(env)) {}

Result<void> HttpListener::listen(const std::string& address, std::uint16_t port) {
    beast::error_code ec;
    tcp::endpoint endpoint(boost::asio::ip::make_address(address, ec), port);
    if (ec) return input_error("listen: " + address + " is not an IP address");
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) return setup_error("listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    return {};
}

void HttpListener::start() { accept(); }

void HttpListener::stop() {
    boost::asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ec;
        self->acceptor_.close(ec);
    });
}

void HttpListener::accept() {
    acceptor_.async_accept(boost::asio::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec,
                                                                                       tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (!ec) {
            if (self->env_.open_connections.load() >= self->env_.config.max_connections) {
                static constexpr char kBusy[] =
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 37\r\n"
                    "Retry-After: 1\r\nConnection: close\r\n\r\n{\"error\":\"too many open connections\"}";
                beast::error_code wec;
                boost::asio::write(socket, boost::asio::buffer(kBusy, sizeof kBusy - 1), wec);
                socket.close(wec);
                self->env_.metrics.rejection("connections");
            } else {
                socket.set_option(tcp::no_delay(true), ec);
                std::make_shared<HttpSession>(std::move(socket), self->env_)->start();
            }
        } else {
            spdlog::warn("accept: {}", ec.message());
        }
        self->accept();
    });
}

}  // namespace ringfence::server
