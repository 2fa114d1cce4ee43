#include "exchange.hpp"

namespace ringfence::server {

std::optional<std::string> Exchange::query_value(const std::string& key) const {
    auto it = query.find(key);
    if (it == query.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> Exchange::header(const std::string& name) const {
    auto it = request.find(name);
    if (it == request.end()) return std::nullopt;
    return std::string(it->value());
}

std::string dump_json(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response json_response(const Request& request, http::status status, const nlohmann::json& body) {
    return text_response(request, status, dump_json(body), "application/json; charset=utf-8");
}

Response text_response(const Request& request, http::status status, std::string body, const std::string& content_type) {
    Response r{status, request.version()};
    r.set(http::field::server, "ringfence");
    r.set(http::field::content_type, content_type);
    r.keep_alive(request.keep_alive());
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

std::string url_decode(std::string_view text, bool plus_as_space, bool& ok) {
    std::string out;
    out.reserve(text.size());
    ok = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+' && plus_as_space) {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= text.size()) {
                ok = false;
                return out;
            }
            auto hex = [](char h) -> int {
                if (h >= '0' && h <= '9') return h - '0';
                if (h >= 'a' && h <= 'f') return h - 'a' + 10;
                if (h >= 'A' && h <= 'F') return h - 'A' + 10;
                return -1;
            };
            int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
            if (hi < 0 || lo < 0) {
                ok = false;
                return out;
            }
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

bool split_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query) {
    auto q = target.find('?');
    bool ok = true;
    path = url_decode(target.substr(0, q), false, ok);
    if (!ok) return false;
    if (q == std::string_view::npos) return true;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        auto eq = pair.find('=');
        std::string key = url_decode(pair.substr(0, eq), true, ok);
        if (!ok) return false;
        std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1), true, ok);
        if (!ok) return false;
        if (!key.empty()) query[key] = value;
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
    }
    return true;
}

}  // namespace ringfence::server
