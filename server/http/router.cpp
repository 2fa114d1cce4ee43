#include "router.hpp"

namespace ringfence::server {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        auto next = path.find('/', i);
        out.push_back(path.substr(i, next - i));
        if (next == std::string::npos) break;
        i = next;
    }
    return out;
}

nlohmann::json error_body(const std::string& api, const std::string& message) {
    if (api == "piston") return {{"message", message}};
    return {{"error", message}};
}

void Router::add(http::verb method, const std::string& pattern, const std::string& api, Handler handler) {
    routes_.push_back({method, split_path(pattern), pattern, api, std::move(handler)});
}

bool Router::match(const Route& route, const std::vector<std::string>& segments,
                   std::map<std::string, std::string>& params) {
    if (route.segments.size() != segments.size()) return false;
    std::map<std::string, std::string> captured;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& s = route.segments[i];
        if (s.size() > 2 && s.front() == '{' && s.back() == '}') captured[s.substr(1, s.size() - 2)] = segments[i];
        else if (s != segments[i]) return false;
    }
    params = std::move(captured);
    return true;
}

void Router::dispatch(const ExchangePtr& ex) const {
    auto segments = split_path(ex->path);
    bool path_known = false;
    std::string api = "ops";
    // Literal routes win over captures ("/submissions/batch" before "/submissions/{token}").
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& route : routes_) {
            bool literal = route.pattern.find('{') == std::string::npos;
            if (literal != (pass == 0)) continue;
            std::map<std::string, std::string> params;
            if (!match(route, segments, params)) continue;
            path_known = true;
            api = route.api;
            if (route.method != ex->request.method()) continue;
            ex->params = std::move(params);
            ex->api = route.api;
            route.handler(ex);
            return;
        }
        if (path_known) break;
    }
    if (ex->path.rfind("/api/v2", 0) == 0) api = "piston";
    ex->api = api;
    if (path_known)
        ex->respond(json_response(ex->request, http::status::method_not_allowed, error_body(api, "method not allowed")));
    else
        ex->respond(json_response(ex->request, http::status::not_found, error_body(api, "Not Found")));
}

std::vector<Router::RouteInfo> Router::routes() const {
    std::vector<RouteInfo> out;
    for (const auto& r : routes_) out.push_back({r.method, r.pattern});
    return out;
}

}  // namespace ringfence::server
