#include "piston_ws_protocol.hpp"

#include <string.h>

#include "http/exchange.hpp"
#include "piston_request.hpp"

namespace ringfence::server::piston {

using nlohmann::json;

const char* close_reason(std::uint16_t code) {
    switch (code) {
        case kAlreadyInitialized: return "Already Initialized";
        case kInitializationTimeout: return "Initialization Timeout";
        case kNotifiedError: return "Notified Error";
        case kNotYetInitialized: return "Not yet Initialized";
        case kCanOnlyWriteToStdin: return "Can only write to stdin";
        case kInvalidSignal: return "Invalid signal";
        case kJobCompleted: return "Job Completed";
        default: return "";
    }
}

ClientMessage parse_client_message(std::string_view text) {
    ClientMessage m;
    json body = json::parse(text.begin(), text.end(), nullptr, false);
    if (body.is_discarded()) {
        m.error = "message is not valid JSON";
        return m;
    }
    if (!body.is_object()) {
        m.error = "message must be a JSON object";
        return m;
    }
    auto type = body.find("type");
    if (type == body.end() || !type->is_string()) {
        m.error = "type is required as a string";
        return m;
    }
    const std::string& kind = type->get_ref<const std::string&>();
    if (kind == "init") {
        m.kind = ClientMessage::Kind::init;
        m.body = std::move(body);
    } else if (kind == "data") {
        auto stream = body.find("stream");
        auto data = body.find("data");
        if (stream == body.end() || !stream->is_string()) {
            m.error = "stream is required as a string";
        } else if (data == body.end() || !data->is_string()) {
            m.error = "data is required as a string";
        } else {
            m.kind = ClientMessage::Kind::data;
            m.stream = stream->get<std::string>();
            m.data = data->get<std::string>();
        }
    } else if (kind == "signal") {
        auto signal = body.find("signal");
        m.kind = ClientMessage::Kind::signal;
        // A missing or non-string signal is an invalid signal (4005), as in Piston.
        if (signal != body.end() && signal->is_string()) m.signal = signal->get<std::string>();
    } else {
        m.error = "unknown message type \"" + kind + "\" (expected init, data or signal)";
    }
    return m;
}

bool is_signal_name(const std::string& name) {
    for (int n = 1; n <= 31; ++n)
        if (const char* abbrev = sigabbrev_np(n); abbrev && name == std::string("SIG") + abbrev) return true;
    return false;
}

std::string runtime_message(const std::string& language, const std::string& version) {
    return dump_json({{"type", "runtime"}, {"language", language}, {"version", version}});
}

std::string stage_message(const std::string& stage) { return dump_json({{"type", "stage"}, {"stage", stage}}); }

std::string data_message(const std::string& stream, const std::string& text) {
    return dump_json({{"type", "data"}, {"stream", stream}, {"data", text}});
}

std::string error_message(const std::string& message) {
    return dump_json({{"type", "error"}, {"message", message}});
}

std::string exit_message(const std::string& stage_name, const RunResult& result) {
    json j = stage(result, 0);
    for (const char* key : {"stdout", "stderr", "output"}) j.erase(key);
    j["type"] = "exit";
    j["stage"] = stage_name;
    if (result.status == RunStatus::setup_error) j["error"] = j["message"];
    return dump_json(j);
}

std::string Utf8Chunker::feed(std::string_view bytes) {
    std::string text = std::move(pending_);
    pending_.clear();
    text.append(bytes);
    // Hold back a lead byte whose continuation bytes have not arrived yet.
    const std::size_t n = text.size();
    for (std::size_t k = 1; k <= 3 && k <= n; ++k) {
        auto b = static_cast<unsigned char>(text[n - k]);
        if ((b & 0xC0) == 0x80) continue;  // a continuation byte: look further back
        std::size_t need = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
        if (need > k) {
            pending_ = text.substr(n - k);
            text.resize(n - k);
        }
        break;
    }
    return text;
}

std::string Utf8Chunker::flush() { return std::exchange(pending_, {}); }

}  // namespace ringfence::server::piston
