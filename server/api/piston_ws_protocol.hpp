// Piston v2's WebSocket protocol (/api/v2/connect): the messages both ways
// and the close codes, as plain functions (the session drives them; the fuzzer
// and the unit tests call them directly).
//
// Client -> server: {"type":"init", <the /execute fields>}, {"type":"data",
// "stream":"stdin","data":"..."}, {"type":"signal","signal":"SIGTERM"}.
// Server -> client: runtime, stage, data (stdout/stderr), exit, error.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ringfence/run_result.hpp"

namespace ringfence::server::piston {

// Piston's close codes and their reasons.
enum CloseCode : std::uint16_t {
    kAlreadyInitialized = 4000,
    kInitializationTimeout = 4001,
    kNotifiedError = 4002,  // after an {"type":"error"} message
    kNotYetInitialized = 4003,
    kCanOnlyWriteToStdin = 4004,
    kInvalidSignal = 4005,
    kJobCompleted = 4999,
};
const char* close_reason(std::uint16_t code);

struct ClientMessage {
    enum class Kind { init, data, signal, malformed };
    Kind kind = Kind::malformed;
    nlohmann::json body;  // init: the whole message, validated later like an /execute body
    std::string stream;   // data: "stdin" (anything else is the session's to refuse: 4004)
    std::string data;     // data: bytes for the program
    std::string signal;   // signal: the name as sent
    std::string error;    // malformed: what is wrong, naming the field
};
// Never throws; anything that is not one of the three messages is `malformed`.
ClientMessage parse_client_message(std::string_view text);

// "SIGHUP" ... "SIGSYS": the names of signals 1-31 (Piston accepts those).
bool is_signal_name(const std::string& name);

std::string runtime_message(const std::string& language, const std::string& version);
std::string stage_message(const std::string& stage);
std::string data_message(const std::string& stream, const std::string& text);
std::string error_message(const std::string& message);
// {"type":"exit","stage",code,signal,status,message,...}: the stage's end, in
// the shape of an /execute stage without its output.
std::string exit_message(const std::string& stage, const RunResult& result);

// Output arrives in arbitrary chunks: hands out text that never ends inside a
// UTF-8 sequence (an incomplete tail waits for the next chunk). Bytes that are
// not UTF-8 become U+FFFD when the message is written.
class Utf8Chunker {
public:
    std::string feed(std::string_view bytes);
    std::string flush();  // whatever is left, at the end of the stream

private:
    std::string pending_;
};

}  // namespace ringfence::server::piston
