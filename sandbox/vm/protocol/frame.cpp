#include "frame.hpp"

#include <array>

namespace ringfence::vm {
namespace {

constexpr std::array<unsigned char, 4> kMagic{'R', 'F', 'V', 'M'};

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

bool known_type(std::uint8_t t) {
    switch (static_cast<FrameType>(t)) {
        case FrameType::ready:
        case FrameType::stdout_data:
        case FrameType::stderr_data:
        case FrameType::result:
        case FrameType::failure:
        case FrameType::job:
            return true;
    }
    return false;
}

}  // namespace

const char* to_string(FrameType type) noexcept {
    switch (type) {
        case FrameType::ready: return "ready";
        case FrameType::stdout_data: return "stdout";
        case FrameType::stderr_data: return "stderr";
        case FrameType::result: return "result";
        case FrameType::failure: return "failure";
        case FrameType::job: return "job";
    }
    return "unknown";
}

std::uint32_t FrameLimits::max_payload(Direction direction, FrameType type) const noexcept {
    if (direction == Direction::host_to_guest) return type == FrameType::job ? job : 0;
    switch (type) {
        case FrameType::ready: return ready;
        case FrameType::stdout_data:
        case FrameType::stderr_data: return output_chunk;
        case FrameType::result: return result;
        case FrameType::failure: return failure;
        case FrameType::job: return 0;
    }
    return 0;
}

std::string encode_frame(FrameType type, std::string_view payload) {
    std::string out;
    out.reserve(kFrameHeaderSize + payload.size());
    out.append(reinterpret_cast<const char*>(kMagic.data()), kMagic.size());
    out.push_back(static_cast<char>(kProtocolVersion));
    out.push_back(static_cast<char>(type));
    out.push_back('\0');
    out.push_back('\0');
    put_u32(out, static_cast<std::uint32_t>(payload.size()));
    out.append(payload);
    return out;
}

Error FrameDecoder::fail(std::string message) {
    failed_ = true;
    buffer_.clear();
    consumed_ = 0;
    return input_error("protocol: " + std::move(message));
}

Result<void> FrameDecoder::feed(std::string_view bytes) {
    if (failed_) return input_error("protocol: channel already failed");
    // Drop what was consumed before growing, so the buffer stays one frame big.
    if (consumed_ > 0) {
        buffer_.erase(0, consumed_);
        consumed_ = 0;
    }
    buffer_.append(bytes);
    return {};
}

Result<std::optional<Frame>> FrameDecoder::next() {
    if (failed_) return input_error("protocol: channel already failed");
    const std::size_t avail = buffer_.size() - consumed_;
    const char* p = buffer_.data() + consumed_;
    // Validate the header as soon as its bytes arrive, not when the payload is
    // complete: a bogus length must not make us wait for (or buffer) gigabytes.
    for (std::size_t i = 0; i < kMagic.size() && i < avail; ++i)
        if (static_cast<unsigned char>(p[i]) != kMagic[i]) return fail("bad magic");
    if (avail > 4 && static_cast<unsigned char>(p[4]) != kProtocolVersion)
        return fail("unsupported protocol version " + std::to_string(static_cast<unsigned char>(p[4])));
    if (avail > 5) {
        const auto raw_type = static_cast<std::uint8_t>(p[5]);
        if (!known_type(raw_type)) return fail("unknown frame type " + std::to_string(raw_type));
        if (limits_.max_payload(direction_, static_cast<FrameType>(raw_type)) == 0)
            return fail(std::string("frame type '") + to_string(static_cast<FrameType>(raw_type)) +
                        "' not allowed in this direction");
    }
    if (avail > 6 && p[6] != 0) return fail("reserved header bits set");
    if (avail > 7 && p[7] != 0) return fail("reserved header bits set");
    if (avail < kFrameHeaderSize) return std::optional<Frame>{};

    const auto type = static_cast<FrameType>(static_cast<std::uint8_t>(p[5]));
    const std::uint32_t length = get_u32(p + 8);
    const std::uint32_t cap = limits_.max_payload(direction_, type);
    if (length > cap)
        return fail(std::string("'") + to_string(type) + "' frame of " + std::to_string(length) +
                    " bytes exceeds the limit of " + std::to_string(cap));
    if (avail - kFrameHeaderSize < length) return std::optional<Frame>{};

    Frame frame{type, std::string(p + kFrameHeaderSize, length)};
    consumed_ += kFrameHeaderSize + length;
    return std::optional<Frame>{std::move(frame)};
}

}  // namespace ringfence::vm
