// libFuzzer: Piston WebSocket client messages (/api/v2/connect), the init
// message's validation, and the UTF-8 chunking of streamed output.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/piston_request.hpp"
#include "api/piston_ws_protocol.hpp"
#include "fuzz_languages.hpp"
#include "service/config.hpp"

using namespace ringfence;
using namespace ringfence::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    static const nlohmann::json settings = default_config_document()["piston"];
    const auto& languages = fuzz_languages();
    static const auto runtimes = piston::runtimes(languages);

    piston::ClientMessage m = piston::parse_client_message(text);
    if (m.kind == piston::ClientMessage::Kind::init) {
        auto p = piston::validate(m.body, runtimes, settings, true);
        if (p.error.empty()) (void)piston::to_job(p.stored);
    }
    if (m.kind == piston::ClientMessage::Kind::signal) (void)piston::is_signal_name(m.signal);
    if (m.kind == piston::ClientMessage::Kind::data) (void)piston::data_message(m.stream, m.data);

    // Output chunks cut anywhere: what comes out is never split inside a UTF-8 sequence.
    piston::Utf8Chunker chunker;
    std::string joined;
    for (std::size_t at = 0; at < text.size(); at += 1 + at % 7) joined += chunker.feed(text.substr(at, 1 + at % 7));
    joined += chunker.flush();
    if (joined != text) __builtin_trap();
    return 0;
}
