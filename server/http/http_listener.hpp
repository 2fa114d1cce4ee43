// Accepts connections on one address, up to a bound: past it, a new client
// gets an immediate 503 and the socket is closed (no queue of sockets).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "http_session.hpp"

namespace ringfence::server {

class HttpListener : public std::enable_shared_from_this<HttpListener> {
public:
    HttpListener(boost::asio::io_context& ioc, SessionEnv env);
    Result<void> listen(const std::string& address, std::uint16_t port);
    void start();
    void stop();  // stops accepting; open connections finish their exchange
    std::uint16_t port() const { return port_; }

private:
    void accept();
    boost::asio::io_context& ioc_;
    tcp::acceptor acceptor_;
    SessionEnv env_;
    std::uint16_t port_ = 0;
};

}  // namespace ringfence::server
