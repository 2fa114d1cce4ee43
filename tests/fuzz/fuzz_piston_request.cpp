// libFuzzer: Piston /api/v2/execute bodies (and WebSocket init messages).
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/piston_request.hpp"
#include "fuzz_languages.hpp"
#include "service/config.hpp"

using namespace ringfence;
using namespace ringfence::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    static const nlohmann::json settings = default_config_document()["piston"];
    const auto& languages = fuzz_languages();
    static const auto runtimes = piston::runtimes(languages);
    (void)piston::version_matches(text, "3.11.2");
    auto body = nlohmann::json::parse(text, nullptr, false);
    if (body.is_discarded()) return 0;
    for (bool interactive : {false, true}) {
        auto p = piston::validate(body, runtimes, settings, interactive);
        if (p.error.empty()) (void)piston::to_job(p.stored);
    }
    return 0;
}
