// libFuzzer: request targets (percent-decoding, query strings) and routing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/exchange.hpp"
#include "http/router.hpp"

using namespace ringfence::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string target(reinterpret_cast<const char*>(data), size);
    std::string path;
    std::map<std::string, std::string> query;
    if (!split_target(target, path, query)) return 0;
    (void)split_path(path);
    return 0;
}
