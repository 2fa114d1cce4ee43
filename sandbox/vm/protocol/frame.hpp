// The host <-> guest wire format: length-prefixed, versioned frames over the
// virtio-serial port. The host treats every byte from the guest as hostile, so
// the decoder is strict (magic, version, reserved bits, type, size cap per type)
// and a decoder that has failed once stays failed: the channel is then dead.
//
//   offset 0  u32  magic "RFVM"
//   offset 4  u8   protocol version (kProtocolVersion)
//   offset 5  u8   frame type (FrameType)
//   offset 6  u16  reserved, must be 0
//   offset 8  u32  payload length, little endian
//   offset 12      payload
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ringfence/error.hpp"

namespace ringfence::vm {

inline constexpr std::uint8_t kProtocolVersion = 1;
// Name of the virtio-serial port that carries the channel (QEMU virtserialport name=).
inline constexpr const char* kAgentPort = "ringfence.0";
inline constexpr std::size_t kFrameHeaderSize = 12;

enum class FrameType : std::uint8_t {
    // guest -> host
    ready = 1,    // JSON ReadyInfo: the agent booted and waits for its one job
    stdout_data = 2,  // raw bytes of the program's stdout (run jobs)
    stderr_data = 3,  // raw bytes of the program's stderr (run jobs)
    result = 4,   // JSON: the job's result; the last frame the guest sends
    failure = 5,  // JSON AgentFailure: the agent could not run the job
    // host -> guest
    job = 16,     // JSON JobRequest
};

const char* to_string(FrameType type) noexcept;

enum class Direction { guest_to_host, host_to_guest };

// Largest payload accepted per frame type; types not valid in a direction get 0.
struct FrameLimits {
    std::uint32_t ready = 16 * 1024;
    std::uint32_t output_chunk = 64 * 1024;
    std::uint32_t result = 64u << 20;
    std::uint32_t failure = 16 * 1024;
    std::uint32_t job = 256u << 20;

    std::uint32_t max_payload(Direction direction, FrameType type) const noexcept;
};

struct Frame {
    FrameType type = FrameType::ready;
    std::string payload;
};

std::string encode_frame(FrameType type, std::string_view payload);

// Incremental decoder: feed() whatever arrived, then call next() until it
// returns no frame. Errors are ErrorKind::input describing the violation.
class FrameDecoder {
public:
    FrameDecoder(Direction direction, FrameLimits limits) : direction_(direction), limits_(limits) {}

    // Refuses input after a failure (the stream cannot be resynchronised).
    Result<void> feed(std::string_view bytes);
    Result<std::optional<Frame>> next();

    bool failed() const noexcept { return failed_; }
    // Bytes received but not yet returned as a frame (a truncated frame at EOF).
    std::size_t pending() const noexcept { return buffer_.size() - consumed_; }

private:
    Error fail(std::string message);

    Direction direction_;
    FrameLimits limits_;
    std::string buffer_;
    std::size_t consumed_ = 0;
    bool failed_ = false;
};

}  // namespace ringfence::vm
