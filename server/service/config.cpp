#include "config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/ip/address.hpp>
#include <spdlog/spdlog.h>

namespace ringfence::server {
namespace {

using nlohmann::json;

std::string env_name(const std::string& path) {
    std::string out = "RINGFENCE_";
    for (char c : path) out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// Merges `patch` into `base`; a key absent from the defaults is a typo, not a wish.
Result<void> merge_known(json& base, const json& patch, const std::string& prefix) {
    if (!patch.is_object()) return input_error((prefix.empty() ? "config" : prefix) + ": expected an object");
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        // The VM tier reads its own keys (and refuses unknown ones) when it starts.
        if (!base.contains(it.key()) && prefix != "vm") return input_error(path + ": unknown configuration key");
        json& slot = base[it.key()];
        if (slot.is_object() && it.value().is_object() && !slot.empty()) {
            if (auto r = merge_known(slot, it.value(), path); !r) return r;
        } else {
            slot = it.value();
        }
    }
    return {};
}

Result<json> parse_env_value(const json& current, const std::string& text, const std::string& path) {
    try {
        if (current.is_string()) return json(text);
        if (current.is_boolean()) {
            if (text == "true" || text == "1") return json(true);
            if (text == "false" || text == "0") return json(false);
            return input_error(env_name(path) + ": expected true or false");
        }
        return json::parse(text);
    } catch (const json::exception&) {
        return input_error(env_name(path) + ": not valid JSON for " + path);
    }
}

void collect_env(json& node, const std::string& prefix, const EnvLookup& env, std::vector<Error>& errors) {
    for (auto it = node.begin(); it != node.end(); ++it) {
        std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (auto value = env(env_name(path))) {
            auto parsed = parse_env_value(it.value(), *value, path);
            if (parsed) it.value() = std::move(parsed.value());
            else errors.push_back(parsed.error());
        } else if (it.value().is_object() && !it.value().empty()) {
            collect_env(it.value(), path, env, errors);
        }
    }
}

struct Reader {
    const json& doc;
    std::vector<std::string> errors;

    const json* at(const json& node, const std::string& key, const std::string& path) {
        if (!node.contains(key)) {
            errors.push_back(path + ": missing");
            return nullptr;
        }
        return &node.at(key);
    }
    std::string str(const json& node, const std::string& key, const std::string& path) {
        const json* v = at(node, key, path);
        if (v && v->is_string()) return v->get<std::string>();
        if (v) errors.push_back(path + ": expected a string");
        return {};
    }
    bool boolean(const json& node, const std::string& key, const std::string& path) {
        const json* v = at(node, key, path);
        if (v && v->is_boolean()) return v->get<bool>();
        if (v) errors.push_back(path + ": expected true or false");
        return false;
    }
    std::uint64_t uint(const json& node, const std::string& key, const std::string& path) {
        const json* v = at(node, key, path);
        if (v && v->is_number_integer() && v->get<long long>() >= 0) return v->get<std::uint64_t>();
        if (v && v->is_number_float() && v->get<double>() >= 0 && v->get<double>() == double(std::uint64_t(v->get<double>())))
            return static_cast<std::uint64_t>(v->get<double>());
        if (v) errors.push_back(path + ": expected an unsigned integer");
        return 0;
    }
    double number(const json& node, const std::string& key, const std::string& path) {
        const json* v = at(node, key, path);
        if (v && v->is_number()) return v->get<double>();
        if (v) errors.push_back(path + ": expected a number");
        return 0;
    }
};

std::optional<std::uint64_t> optional_uint(Reader& r, const json& node, const char* key, const std::string& path) {
    if (!node.contains(key) || node.at(key).is_null()) return std::nullopt;
    std::uint64_t v = r.uint(node, key, path + "." + key);
    if (v == 0) r.errors.push_back(path + "." + key + ": must be positive (omit it for no ceiling)");
    return v;
}

Result<TenantConfig> read_tenant(const json& raw, std::size_t index) {
    std::string path = "tenants[" + std::to_string(index) + "]";
    if (!raw.is_object()) return input_error(path + ": expected an object");
    json t = default_tenant_document();
    t["name"] = "";
    if (auto r = merge_known(t, raw, path); !r) return r.error();
    Reader r{t, {}};
    TenantConfig out;
    out.name = r.str(t, "name", path + ".name");
    if (out.name.empty() || out.name.size() > 64 ||
        !std::all_of(out.name.begin(), out.name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; }))
        r.errors.push_back(path + ".name: 1-64 characters of [A-Za-z0-9._-]");
    const json& keys = t["api_key_sha256"];
    if (!keys.is_array()) r.errors.push_back(path + ".api_key_sha256: expected an array of hex SHA-256 hashes");
    else
        for (std::size_t i = 0; i < keys.size(); ++i) {
            std::string h = keys[i].is_string() ? keys[i].get<std::string>() : "";
            if (h.rfind("sha256:", 0) == 0) h = h.substr(7);
            std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
            if (h.size() != 64 || !std::all_of(h.begin(), h.end(), [](unsigned char c) { return std::isxdigit(c); }))
                r.errors.push_back(path + ".api_key_sha256[" + std::to_string(i) +
                                   "]: expected 64 hex digits (`ringfence serve --hash-key KEY` prints one)");
            else out.api_key_sha256.push_back(h);
        }
    out.max_queued = r.uint(t, "max_queued", path + ".max_queued");
    out.max_concurrent = static_cast<unsigned>(r.uint(t, "max_concurrent", path + ".max_concurrent"));
    out.rate_per_second = r.number(t, "rate_per_second", path + ".rate_per_second");
    out.burst = r.number(t, "burst", path + ".burst");
    if (out.rate_per_second <= 0) r.errors.push_back(path + ".rate_per_second: must be positive");
    if (out.burst < 1) r.errors.push_back(path + ".burst: must be at least 1");
    const json& c = t["ceilings"];
    if (!c.is_object()) {
        r.errors.push_back(path + ".ceilings: expected an object");
    } else {
        for (auto it = c.begin(); it != c.end(); ++it)
            if (it.key() != "cpu_time_ms" && it.key() != "wall_time_ms" && it.key() != "memory_kib" &&
                it.key() != "processes" && it.key() != "output_bytes" && it.key() != "file_size_bytes")
                r.errors.push_back(path + ".ceilings." + it.key() + ": unknown limit");
        std::string cp = path + ".ceilings";
        out.ceilings.cpu_time_ms = optional_uint(r, c, "cpu_time_ms", cp);
        out.ceilings.wall_time_ms = optional_uint(r, c, "wall_time_ms", cp);
        out.ceilings.memory_kib = optional_uint(r, c, "memory_kib", cp);
        if (auto p = optional_uint(r, c, "processes", cp)) out.ceilings.processes = static_cast<std::uint32_t>(*p);
        out.ceilings.output_bytes = optional_uint(r, c, "output_bytes", cp);
        out.ceilings.file_size_bytes = optional_uint(r, c, "file_size_bytes", cp);
    }
    out.network = r.boolean(t, "network", path + ".network");
    out.isolation = r.str(t, "isolation", path + ".isolation");
    if (out.isolation != "process" && out.isolation != "vm")
        r.errors.push_back(path + ".isolation: expected \"process\" or \"vm\"");
    out.admin = r.boolean(t, "admin", path + ".admin");
    out.callback_secret = r.str(t, "callback_secret", path + ".callback_secret");
    if (!r.errors.empty()) return input_error(r.errors.front());
    return out;
}

std::string default_data_dir() {
    if (geteuid() == 0) return "/var/lib/ringfence";
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) return std::string(state) + "/ringfence";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/state/ringfence";
    return "/tmp/ringfence-" + std::to_string(geteuid());
}

}  // namespace

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

const TenantConfig* ServiceConfig::find_tenant(const std::string& name) const {
    for (const auto& t : tenants)
        if (t.name == name) return &t;
    return nullptr;
}

bool ServiceConfig::has_api_keys() const {
    return std::any_of(tenants.begin(), tenants.end(), [](const TenantConfig& t) { return !t.api_key_sha256.empty(); });
}

Result<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        return input_error("listen: expected ADDR:PORT, e.g. 127.0.0.1:2358, got \"" + text + "\"");
    std::string host = text.substr(0, colon);
    std::string port = text.substr(colon + 1);
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) || port.size() > 5 ||
        std::stoul(port) > 65535)
        return input_error("listen: invalid port \"" + port + "\"");
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) return input_error("listen: \"" + host + "\" is not an IP address");
    return std::pair{host, static_cast<std::uint16_t>(std::stoul(port))};
}

bool is_loopback_listen_address(const std::string& address) {
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(address, ec);
    return !ec && a.is_loopback();
}

Result<ServiceConfig> load_config(const std::optional<std::string>& file, const EnvLookup& env,
                                  const std::map<std::string, std::string>& overrides) {
    json doc = default_config_document();
    if (file) {
        std::ifstream in(*file);
        if (!in) return input_error("--config " + *file + ": cannot be read");
        std::stringstream text;
        text << in.rdbuf();
        json loaded;
        try {
            loaded = json::parse(text.str());
        } catch (const json::exception& e) {  // a syntax error, or a number out of range
            return input_error("--config " + *file + ": not valid JSON (" + std::string(e.what()) + ")");
        }
        if (auto r = merge_known(doc, loaded, ""); !r) return r.error();
    }
    std::vector<Error> env_errors;
    collect_env(doc, "", env, env_errors);
    if (!env_errors.empty()) return env_errors.front();
    for (const auto& [path, value] : overrides) {
        json* slot = &doc;
        std::stringstream parts(path);
        std::string part;
        while (std::getline(parts, part, '.')) slot = &(*slot)[part];
        *slot = value;
    }

    Reader r{doc, {}};
    ServiceConfig c;
    c.listen = r.str(doc, "listen", "listen");
    if (auto l = parse_listen_address(c.listen); !l) r.errors.push_back(l.error().message);
    c.data_dir = r.str(doc, "data_dir", "data_dir");
    if (c.data_dir.empty()) c.data_dir = default_data_dir();
    doc["data_dir"] = c.data_dir;
    c.workers = static_cast<unsigned>(r.uint(doc, "workers", "workers"));
    if (c.workers == 0) c.workers = std::max(1u, std::thread::hardware_concurrency());
    c.io_threads = static_cast<unsigned>(std::max<std::uint64_t>(1, r.uint(doc, "io_threads", "io_threads")));
    c.profiles_dir = r.str(doc, "profiles_dir", "profiles_dir");
    c.drain_grace_ms = r.uint(doc, "drain_grace_ms", "drain_grace_ms");
    c.max_queue_size = r.uint(doc, "max_queue_size", "max_queue_size");
    c.store_synchronous = r.str(doc["store"], "synchronous", "store.synchronous");
    if (c.store_synchronous != "full" && c.store_synchronous != "normal")
        r.errors.push_back("store.synchronous: expected \"full\" or \"normal\"");
    const json& h = doc["http"];
    c.http.max_connections = static_cast<unsigned>(r.uint(h, "max_connections", "http.max_connections"));
    c.http.max_body_bytes = r.uint(h, "max_body_bytes", "http.max_body_bytes");
    c.http.max_header_bytes = static_cast<std::uint32_t>(r.uint(h, "max_header_bytes", "http.max_header_bytes"));
    c.http.header_timeout_ms = r.uint(h, "header_timeout_ms", "http.header_timeout_ms");
    c.http.body_timeout_ms = r.uint(h, "body_timeout_ms", "http.body_timeout_ms");
    c.http.idle_timeout_ms = r.uint(h, "idle_timeout_ms", "http.idle_timeout_ms");
    c.http.max_wait_ms = r.uint(h, "max_wait_ms", "http.max_wait_ms");
    if (c.http.max_connections == 0) r.errors.push_back("http.max_connections: must be positive");
    c.log_dir = r.str(doc["log"], "dir", "log.dir");
    if (c.log_dir.empty()) c.log_dir = c.data_dir + "/logs";
    doc["log"]["dir"] = c.log_dir;
    c.log_level = r.str(doc["log"], "level", "log.level");
    c.launcher_runtime_dir = r.str(doc["launcher"], "runtime_dir", "launcher.runtime_dir");
    c.launcher_allow_rlimit_only = r.boolean(doc["launcher"], "allow_rlimit_only", "launcher.allow_rlimit_only");
    // Each ready sandbox holds two processes and about half a MiB of kernel memory.
    constexpr std::uint64_t kMaxPoolDepth = 4096;
    const std::uint64_t pool_size = r.uint(doc["launcher"], "pool_size", "launcher.pool_size");
    const std::uint64_t pool_max = r.uint(doc["launcher"], "pool_max", "launcher.pool_max");
    const std::string at_most = ": at most " + std::to_string(kMaxPoolDepth);
    if (pool_size > kMaxPoolDepth) r.errors.push_back("launcher.pool_size" + at_most);
    if (pool_max > kMaxPoolDepth) r.errors.push_back("launcher.pool_max" + at_most);
    c.launcher_pool_size = static_cast<unsigned>(std::min(pool_size, kMaxPoolDepth));
    c.launcher_pool_max = static_cast<unsigned>(std::min(pool_max, kMaxPoolDepth));
    c.judge_test_concurrency =
        static_cast<unsigned>(std::max<std::uint64_t>(1, r.uint(doc["judge"], "test_concurrency", "judge.test_concurrency")));
    const json& cb = doc["callbacks"];
    c.callbacks.allow_private_addresses = r.boolean(cb, "allow_private_addresses", "callbacks.allow_private_addresses");
    c.callbacks.max_tries = static_cast<unsigned>(r.uint(cb, "max_tries", "callbacks.max_tries"));
    c.callbacks.timeout_ms = r.uint(cb, "timeout_ms", "callbacks.timeout_ms");
    c.callbacks.backoff_initial_ms = r.uint(cb, "backoff_initial_ms", "callbacks.backoff_initial_ms");
    c.callbacks.backoff_max_ms = r.uint(cb, "backoff_max_ms", "callbacks.backoff_max_ms");
    c.callbacks.secret = r.str(cb, "secret", "callbacks.secret");
    if (c.callbacks.max_tries == 0) r.errors.push_back("callbacks.max_tries: must be at least 1");
    c.anonymous_tenant = r.str(doc, "anonymous_tenant", "anonymous_tenant");
    c.vm_enabled = r.boolean(doc["vm"], "enabled", "vm.enabled");
    c.vm = doc["vm"];
    c.vm.erase("enabled");
    if (!r.errors.empty()) return input_error(r.errors.front());

    const json& tenants = doc["tenants"];
    if (!tenants.is_array() || tenants.empty()) return input_error("tenants: expected a non-empty array");
    for (std::size_t i = 0; i < tenants.size(); ++i) {
        auto t = read_tenant(tenants[i], i);
        if (!t) return t.error();
        if (c.find_tenant(t->name)) return input_error("tenants[" + std::to_string(i) + "].name: duplicate \"" + t->name + "\"");
        c.tenants.push_back(std::move(t.value()));
    }
    // Show the defaults filled in, so --print-config is the whole truth.
    for (std::size_t i = 0; i < tenants.size(); ++i) {
        json full = default_tenant_document();
        (void)merge_known(full, tenants[i], "");
        doc["tenants"][i] = full;
    }
    if (!c.anonymous_tenant.empty() && !c.find_tenant(c.anonymous_tenant))
        return input_error("anonymous_tenant: no tenant named \"" + c.anonymous_tenant + "\"");
    c.judge0 = doc["judge0"];
    c.piston = doc["piston"];
    for (auto* section : {&c.judge0, &c.piston}) {
        json defaults = default_config_document()[section == &c.judge0 ? "judge0" : "piston"];
        for (auto it = defaults.begin(); it != defaults.end(); ++it) {
            const json& v = (*section)[it.key()];
            bool same_kind = (v.is_number() && it.value().is_number()) || v.type() == it.value().type();
            if (!same_kind)
                return input_error(std::string(section == &c.judge0 ? "judge0." : "piston.") + it.key() +
                                   ": expected " + it.value().type_name());
        }
    }
    c.effective = doc;
    return c;
}

Result<void> check_exposure(const ServiceConfig& config) {
    auto address = parse_listen_address(config.listen);
    if (!address) return address.error();
    if (is_loopback_listen_address(address->first)) return {};
    if (!config.has_api_keys())
        return input_error("refusing to listen on " + config.listen +
                           ": it is not a loopback address and no tenant has an API key. Add keys "
                           "(tenants[].api_key_sha256; `ringfence serve --hash-key KEY` prints a hash) or "
                           "listen on 127.0.0.1.");
    if (!config.anonymous_tenant.empty())
        spdlog::warn("listening on {} with anonymous_tenant \"{}\": requests without a key run as that tenant",
                     config.listen, config.anonymous_tenant);
    return {};
}

}  // namespace ringfence::server
