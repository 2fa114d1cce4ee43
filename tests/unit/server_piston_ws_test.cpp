// Piston's WebSocket protocol without a connection: client messages, signal
// names, close reasons, the exit message and UTF-8-safe output chunks.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "api/piston_ws_protocol.hpp"

using namespace ringfence;
using namespace ringfence::server;
using nlohmann::json;
using Kind = piston::ClientMessage::Kind;

TEST_CASE("client messages: the three kinds, and what is wrong with the rest") {
    auto init = piston::parse_client_message(R"({"type":"init","language":"python","version":"*","files":[]})");
    CHECK(init.kind == Kind::init);
    CHECK(init.body["language"] == "python");

    auto data = piston::parse_client_message(R"({"type":"data","stream":"stdin","data":"1 2\n"})");
    CHECK(data.kind == Kind::data);
    CHECK(data.stream == "stdin");
    CHECK(data.data == "1 2\n");
    // Another stream parses: refusing it (4004) is the session's.
    CHECK(piston::parse_client_message(R"({"type":"data","stream":"stdout","data":""})").stream == "stdout");

    auto signal = piston::parse_client_message(R"({"type":"signal","signal":"SIGINT"})");
    CHECK(signal.kind == Kind::signal);
    CHECK(signal.signal == "SIGINT");
    // A missing signal is an invalid signal (4005), not a malformed message.
    auto missing = piston::parse_client_message(R"({"type":"signal"})");
    CHECK(missing.kind == Kind::signal);
    CHECK(missing.signal.empty());

    struct Bad {
        const char* text;
        const char* error;
    };
    for (const Bad& bad : {Bad{"{not json", "message is not valid JSON"}, Bad{"[1]", "message must be a JSON object"},
                           Bad{"{}", "type is required as a string"}, Bad{R"({"type":3})", "type is required as a string"},
                           Bad{R"({"type":"run"})", "unknown message type \"run\" (expected init, data or signal)"},
                           Bad{R"({"type":"data","data":"x"})", "stream is required as a string"},
                           Bad{R"({"type":"data","stream":"stdin","data":5})", "data is required as a string"}}) {
        CAPTURE(bad.text);
        auto m = piston::parse_client_message(bad.text);
        CHECK(m.kind == Kind::malformed);
        CHECK(m.error == bad.error);
    }
}

TEST_CASE("signal names 1-31 and close reasons") {
    CHECK(piston::is_signal_name("SIGKILL"));
    CHECK(piston::is_signal_name("SIGTERM"));
    CHECK(piston::is_signal_name("SIGSYS"));
    CHECK_FALSE(piston::is_signal_name("KILL"));
    CHECK_FALSE(piston::is_signal_name("SIGNOPE"));
    CHECK_FALSE(piston::is_signal_name(""));
    CHECK(std::string(piston::close_reason(piston::kInitializationTimeout)) == "Initialization Timeout");
    CHECK(std::string(piston::close_reason(piston::kJobCompleted)) == "Job Completed");
    CHECK(std::string(piston::close_reason(4100)).empty());
}

TEST_CASE("server messages") {
    CHECK(json::parse(piston::runtime_message("python", "3.11.2")) ==
          json{{"type", "runtime"}, {"language", "python"}, {"version", "3.11.2"}});
    CHECK(json::parse(piston::stage_message("run")) == json{{"type", "stage"}, {"stage", "run"}});
    CHECK(json::parse(piston::data_message("stderr", "x")) == json{{"type", "data"}, {"stream", "stderr"}, {"data", "x"}});
    CHECK(json::parse(piston::error_message("bad")) == json{{"type", "error"}, {"message", "bad"}});

    RunResult r;
    r.status = RunStatus::nonzero_exit;
    r.exit_code = 3;
    r.stdout_data = "not sent again";
    auto exited = json::parse(piston::exit_message("run", r));
    CHECK(exited["type"] == "exit");
    CHECK(exited["stage"] == "run");
    CHECK(exited["code"] == 3);
    CHECK(exited["signal"].is_null());
    CHECK(exited["status"] == "RE");
    CHECK_FALSE(exited.contains("stdout"));
    CHECK_FALSE(exited.contains("output"));
}

TEST_CASE("output chunks never end inside a UTF-8 sequence") {
    const std::string text = "a\xC3\xA9" "b\xE2\x82\xAC" "c\xF0\x9F\x98\x80";  // a é b € c 😀
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        CAPTURE(cut);
        piston::Utf8Chunker chunker;
        std::string first = chunker.feed(text.substr(0, cut));
        std::string second = chunker.feed(text.substr(cut));
        CHECK(first + second == text);
        CHECK(chunker.flush().empty());
        // A chunk is whole: it never ends with a lead byte still waiting for its continuation.
        for (const std::string& chunk : {first, second}) {
            if (chunk.empty()) continue;
            std::size_t lead = chunk.size() - 1;
            while (lead > 0 && (static_cast<unsigned char>(chunk[lead]) & 0xC0) == 0x80) --lead;
            auto b = static_cast<unsigned char>(chunk[lead]);
            std::size_t need = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
            CHECK(chunk.size() - lead == need);
        }
    }
    piston::Utf8Chunker chunker;
    CHECK(chunker.feed("x\xE2\x82").size() == 1);
    CHECK(chunker.flush() == "\xE2\x82");  // an incomplete tail at the end is handed out as it is
}
