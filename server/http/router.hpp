// Maps method + path pattern ("/submissions/{token}") to a handler. Unknown
// paths get 404 and known paths with another method 405, both as JSON.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "exchange.hpp"

namespace ringfence::server {

using Handler = std::function<void(const ExchangePtr&)>;

class Router {
public:
    // `api` labels the exchange for metrics and decides the error body's shape.
    void add(http::verb method, const std::string& pattern, const std::string& api, Handler handler);
    void dispatch(const ExchangePtr& exchange) const;

    struct RouteInfo {
        http::verb method;
        std::string pattern;
    };
    std::vector<RouteInfo> routes() const;

private:
    struct Route {
        http::verb method;
        std::vector<std::string> segments;  // "{name}" captures one segment
        std::string pattern;
        std::string api;
        Handler handler;
    };
    static bool match(const Route& route, const std::vector<std::string>& segments,
                      std::map<std::string, std::string>& params);
    std::vector<Route> routes_;
};

std::vector<std::string> split_path(const std::string& path);
// The error body each API family uses: Piston {"message"}, the others {"error"}.
nlohmann::json error_body(const std::string& api, const std::string& message);

}  // namespace ringfence::server
