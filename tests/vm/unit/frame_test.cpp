#include <doctest/doctest.h>

#include <vector>

#include "base64.hpp"
#include "vm/protocol/frame.hpp"

using namespace ringfence;
using namespace ringfence::vm;

namespace {

FrameDecoder guest_decoder() { return FrameDecoder(Direction::guest_to_host, FrameLimits{}); }

std::string header(std::uint8_t version, std::uint8_t type, std::uint32_t length, char reserved = 0) {
    std::string h = "RFVM";
    h.push_back(static_cast<char>(version));
    h.push_back(static_cast<char>(type));
    h.push_back(reserved);
    h.push_back(0);
    for (int i = 0; i < 4; ++i) h.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
    return h;
}

}  // namespace

TEST_CASE("frames round-trip, byte by byte and in one piece") {
    const std::string wire = encode_frame(FrameType::stdout_data, "hello") +
                             encode_frame(FrameType::result, std::string(70000, 'x')) +
                             encode_frame(FrameType::stderr_data, "");
    for (const bool bytewise : {false, true}) {
        auto d = guest_decoder();
        std::vector<Frame> frames;
        auto drain = [&] {
            while (true) {
                auto f = d.next();
                REQUIRE(f.ok());
                if (!f.value()) break;
                frames.push_back(std::move(*f.value()));
            }
        };
        if (bytewise) {
            for (const char c : wire) {
                REQUIRE(d.feed(std::string_view(&c, 1)).ok());
                drain();
            }
        } else {
            REQUIRE(d.feed(wire).ok());
            drain();
        }
        REQUIRE(frames.size() == 3);
        CHECK(frames[0].type == FrameType::stdout_data);
        CHECK(frames[0].payload == "hello");
        CHECK(frames[1].payload.size() == 70000);
        CHECK(frames[2].type == FrameType::stderr_data);
        CHECK(frames[2].payload.empty());
        CHECK(d.pending() == 0);
    }
}

TEST_CASE("hostile headers are rejected as soon as the bad byte arrives") {
    struct Case {
        const char* name;
        std::string bytes;
        const char* expect;
    };
    const Case cases[] = {
        {"bad magic", "XFVM", "bad magic"},
        {"bad magic, first byte only", "Q", "bad magic"},
        {"version 2", header(2, 4, 1), "unsupported protocol version 2"},
        {"unknown type", header(1, 99, 1), "unknown frame type 99"},
        {"host-only type from the guest", header(1, 16, 1), "not allowed in this direction"},
        {"reserved bits", header(1, 4, 1, 1), "reserved"},
        {"oversized output chunk", header(1, 2, 64 * 1024 + 1), "exceeds the limit"},
        {"4 GiB result", header(1, 4, 0xffffffffu), "exceeds the limit"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        auto d = guest_decoder();
        REQUIRE(d.feed(c.bytes).ok());
        auto f = d.next();
        REQUIRE_FALSE(f.ok());
        CHECK(f.error().kind == ErrorKind::input);
        CHECK(f.error().message.find(c.expect) != std::string::npos);
        CHECK(d.failed());
        // A failed channel stays failed, even for valid bytes.
        CHECK_FALSE(d.feed(encode_frame(FrameType::result, "{}")).ok());
        CHECK_FALSE(d.next().ok());
    }
}

TEST_CASE("a truncated frame is pending, not delivered") {
    auto d = guest_decoder();
    const std::string wire = encode_frame(FrameType::result, "{\"a\":1}");
    REQUIRE(d.feed(wire.substr(0, wire.size() - 1)).ok());
    auto f = d.next();
    REQUIRE(f.ok());
    CHECK_FALSE(f.value().has_value());
    CHECK(d.pending() == wire.size() - 1);
}

TEST_CASE("the host may send only job frames") {
    FrameDecoder d(Direction::host_to_guest, FrameLimits{});
    REQUIRE(d.feed(encode_frame(FrameType::job, "{}")).ok());
    auto f = d.next();
    REQUIRE(f.ok());
    REQUIRE(f.value().has_value());
    CHECK(f.value()->type == FrameType::job);
    FrameDecoder d2(Direction::host_to_guest, FrameLimits{});
    REQUIRE(d2.feed(encode_frame(FrameType::result, "{}")).ok());
    CHECK_FALSE(d2.next().ok());
}

TEST_CASE("base64 round-trips all byte values and rejects malformed text") {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t n = 0; n < 8; ++n) {
        const std::string part = all.substr(0, n) + all;
        auto back = base64_decode(base64_encode(part));
        REQUIRE(back);
        CHECK(*back == part);
    }
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK_FALSE(base64_decode("Zm9vYg="));    // bad length
    CHECK_FALSE(base64_decode("Zm9v=mg="));   // padding in the middle
    CHECK_FALSE(base64_decode("Zm9v!A=="));   // outside the alphabet
    CHECK_FALSE(base64_decode("Z==="));       // three pads
    CHECK(base64_decode("")->empty());
}
