// `ringfence serve`: the HTTP service (native, Judge0- and Piston-compatible APIs).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "app/service.hpp"
#include "commands.hpp"
#include "service/config.hpp"
#include "service/crypto.hpp"

namespace ringfence::cli {
namespace {

void usage(std::FILE* out) {
    std::fprintf(out,
                 "usage: ringfence serve [--config FILE] [--listen ADDR:PORT] [--data-dir DIR] [--print-config]\n"
                 "       ringfence serve --hash-key KEY\n\n"
                 "Serves the native API (/v1), Judge0 CE 1.13.1 (at the root) and Piston v2 (/api/v2) on one port,\n"
                 "127.0.0.1:2358 by default. Every configuration key can also be set by an environment variable\n"
                 "RINGFENCE_<KEY_PATH> (e.g. RINGFENCE_HTTP_MAX_BODY_BYTES); see examples/ringfence.json.\n\n"
                 "  --config FILE       JSON configuration file\n"
                 "  --listen ADDR:PORT  address to listen on (non-loopback needs API keys)\n"
                 "  --data-dir DIR      job store, logs and callback secret\n"
                 "  --print-config      print the effective configuration and exit\n"
                 "  --hash-key KEY      print the hash to put in tenants[].api_key_sha256\n");
}

}  // namespace

int cmd_serve(int argc, char** argv) {
    std::optional<std::string> config_file;
    std::map<std::string, std::string> overrides;
    bool print_config = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](const char* name) -> std::optional<std::string> {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "ringfence serve: %s needs a value\n", name);
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        if (arg == "--help" || arg == "-h") {
            usage(stdout);
            return 0;
        } else if (arg == "--config") {
            if (!(config_file = value("--config"))) return 2;
        } else if (arg == "--listen") {
            auto v = value("--listen");
            if (!v) return 2;
            overrides["listen"] = *v;
        } else if (arg == "--data-dir") {
            auto v = value("--data-dir");
            if (!v) return 2;
            overrides["data_dir"] = *v;
        } else if (arg == "--print-config") {
            print_config = true;
        } else if (arg == "--hash-key") {
            auto v = value("--hash-key");
            if (!v) return 2;
            std::printf("%s\n", server::sha256_hex(*v).c_str());
            return 0;
        } else {
            std::fprintf(stderr, "ringfence serve: unknown option %s\n", arg.c_str());
            usage(stderr);
            return 2;
        }
    }
    auto config = server::load_config(config_file, server::process_environment(), overrides);
    if (!config) {
        std::fprintf(stderr, "ringfence serve: %s\n", config.error().message.c_str());
        return 2;
    }
    if (print_config) {
        std::printf("%s\n", config->effective.dump(2).c_str());
        return 0;
    }
    spdlog::set_level(spdlog::level::from_str(config->log_level));
    auto service = server::Service::create(std::move(config.value()));
    if (!service) {
        std::fprintf(stderr, "ringfence serve: %s\n", service.error().describe().c_str());
        return service.error().kind == ErrorKind::input ? 2 : 1;
    }
    return service.value()->run();
}

}  // namespace ringfence::cli
