#include "callback_url.hpp"

#include <algorithm>
#include <cctype>

namespace ringfence::server {
namespace {

bool in_v4(std::uint32_t a, std::uint32_t net, int prefix) {
    std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t(0) << (32 - prefix);
    return (a & mask) == (net & mask);
}

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
}

std::string v4_reason(const boost::asio::ip::address_v4& address) {
    std::uint32_t a = address.to_uint();
    if (in_v4(a, v4(127, 0, 0, 0), 8)) return "loopback";
    if (in_v4(a, v4(0, 0, 0, 0), 8)) return "unspecified";
    if (in_v4(a, v4(10, 0, 0, 0), 8) || in_v4(a, v4(172, 16, 0, 0), 12) || in_v4(a, v4(192, 168, 0, 0), 16))
        return "private";
    if (in_v4(a, v4(100, 64, 0, 0), 10)) return "shared (carrier-grade NAT)";
    if (in_v4(a, v4(169, 254, 0, 0), 16)) return "link-local";
    if (in_v4(a, v4(224, 0, 0, 0), 4)) return "multicast";
    if (in_v4(a, v4(240, 0, 0, 0), 4)) return "reserved";
    if (in_v4(a, v4(192, 0, 0, 0), 24) || in_v4(a, v4(198, 18, 0, 0), 15)) return "reserved";
    return "";
}

}  // namespace

std::string forbidden_address_reason(const boost::asio::ip::address& address) {
    if (address.is_v4()) return v4_reason(address.to_v4());
    auto a6 = address.to_v6();
    if (a6.is_v4_mapped()) return v4_reason(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a6));
    if (a6.is_loopback()) return "loopback";
    if (a6.is_unspecified()) return "unspecified";
    if (a6.is_link_local()) return "link-local";
    if (a6.is_multicast()) return "multicast";
    auto bytes = a6.to_bytes();
    if ((bytes[0] & 0xFE) == 0xFC) return "private";           // fc00::/7 unique local
    if (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0xC0) return "private";  // fec0::/10 site-local
    if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B)
        return "NAT64 (may reach a private IPv4 address)";
    return "";
}

Result<CallbackUrl> parse_callback_url(const std::string& url) {
    constexpr std::string_view kScheme = "http://";
    if (url.size() > 2048) return input_error("callback_url: longer than 2048 characters");
    std::string lower = url.substr(0, std::min(url.size(), kScheme.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower != kScheme) return input_error("callback_url: only http:// URLs are supported");
    for (unsigned char c : url)
        if (c <= 0x20 || c >= 0x7F) return input_error("callback_url: contains a space or a non-ASCII character");
    std::string rest = url.substr(kScheme.size());
    auto slash = rest.find_first_of("/?#");
    std::string authority = rest.substr(0, slash);
    CallbackUrl out;
    if (slash != std::string::npos) {
        out.target = rest.substr(slash);
        if (out.target[0] != '/') out.target = "/" + out.target;
        auto hash = out.target.find('#');
        if (hash != std::string::npos) out.target.resize(hash);
    }
    if (authority.find('@') != std::string::npos) return input_error("callback_url: credentials in the URL are not allowed");
    if (authority.empty()) return input_error("callback_url: no host");
    if (authority[0] == '[') {
        auto close = authority.find(']');
        if (close == std::string::npos) return input_error("callback_url: unterminated IPv6 address");
        out.host = authority.substr(1, close - 1);
        std::string after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return input_error("callback_url: malformed host");
            out.port = after.substr(1);
        }
    } else {
        auto colon = authority.rfind(':');
        out.host = authority.substr(0, colon);
        if (colon != std::string::npos) out.port = authority.substr(colon + 1);
    }
    if (out.host.empty()) return input_error("callback_url: no host");
    if (out.port.empty() || out.port.size() > 5 ||
        !std::all_of(out.port.begin(), out.port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        std::stoi(out.port) == 0 || std::stoi(out.port) > 65535)
        return input_error("callback_url: invalid port");
    return out;
}

}  // namespace ringfence::server

namespace ringfence::server {

Result<CallbackUrl> validate_callback_url(const std::string& url, bool allow_private) {
    auto parsed = parse_callback_url(url);
    if (!parsed || allow_private) return parsed;
    std::string host = parsed->host;
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
    if (host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost"))
        return input_error("callback_url: loopback hosts are not allowed");
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(parsed->host, ec);
    if (!ec) {
        std::string why = forbidden_address_reason(address);
        if (!why.empty()) return input_error("callback_url: " + why + " addresses are not allowed");
    }
    return parsed;
}

}  // namespace ringfence::server
