// Callback URLs are user input that makes the server open connections: the
// SSRF lesson of Judge0's 2024 advisories. A URL is parsed strictly and every
// address it resolves to is checked before connecting (not only at submit time,
// so DNS rebinding gains nothing).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>

#include "ringfence/error.hpp"

namespace ringfence::server {

struct CallbackUrl {
    std::string host;  // name or literal address (IPv6 without brackets)
    std::string port = "80";
    std::string target = "/";  // path and query
};

// Only http:// URLs with a host; errors name the problem for a 422.
Result<CallbackUrl> parse_callback_url(const std::string& url);

// Why an address may not be called back ("loopback", "private", "link-local",
// ...), or "" when it is a public unicast address.
std::string forbidden_address_reason(const boost::asio::ip::address& address);

}  // namespace ringfence::server

namespace ringfence::server {
// At submission: syntax, and literal addresses ("127.0.0.1", "[::1]",
// "localhost") refused unless private addresses are allowed. Names resolve
// again at delivery time, where every answer is checked.
Result<CallbackUrl> validate_callback_url(const std::string& url, bool allow_private);
}  // namespace ringfence::server
