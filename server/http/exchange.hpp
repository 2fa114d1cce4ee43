// One HTTP request and the way to answer it. Handlers may answer from any
// thread, later (a synchronous run answers when its job is done): `respond`
// posts the response back to the connection's strand, and only the first call counts.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ringfence::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// A connection handed over to a WebSocket session. `hold` keeps the HTTP
// connection's bookkeeping (open connection count) alive as long as it is kept.
struct Upgrade {
    boost::beast::tcp_stream stream;
    std::shared_ptr<void> hold;
};

struct Exchange {
    Request request;
    std::string path;                            // decoded, without the query
    std::map<std::string, std::string> query;    // decoded; last value wins
    std::map<std::string, std::string> params;   // from the route pattern: {id}
    std::string remote;
    std::string tenant;  // set once authenticated (access log)
    std::string api;     // "native", "judge0", "piston", "ops" (metrics)
    std::function<void(Response)> respond;
    // Set only on a WebSocket upgrade request: takes the connection over (once,
    // while the handler runs on the connection's strand). After it, `respond` does nothing.
    std::function<std::optional<Upgrade>()> take_over;

    std::optional<std::string> query_value(const std::string& key) const;
    std::optional<std::string> header(const std::string& name) const;
};
using ExchangePtr = std::shared_ptr<Exchange>;

// A response with a JSON body, keep-alive and version taken from the request.
Response json_response(const Request& request, http::status status, const nlohmann::json& body);
Response text_response(const Request& request, http::status status, std::string body, const std::string& content_type);

// Splits "/a/b?x=1&y=%20" into a decoded path and query map; false when the
// percent-encoding is broken.
bool split_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query);
std::string url_decode(std::string_view text, bool plus_as_space, bool& ok);

// Dumps JSON without ever throwing on invalid UTF-8 (replaced with U+FFFD).
std::string dump_json(const nlohmann::json& value);

}  // namespace ringfence::server
