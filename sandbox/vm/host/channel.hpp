// The host end of the agent channel: frames in and out of the unix socket
// bound to the guest's virtio-serial port, with deadlines and cancellation.
// The peer is hostile: any malformed, oversized or unexpected byte ends the
// channel for good, and the caller then kills the VM.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "protocol/frame.hpp"
#include "unique_fd.hpp"

namespace ringfence::vm {

using Clock = std::chrono::steady_clock;

enum class ChannelEvent {
    frame,      // a complete, well-formed frame
    timeout,    // the deadline passed
    cancelled,  // the cancel fd became readable
    closed,     // the guest side went away (QEMU exited or closed the port)
    violation,  // the guest broke the protocol
    io_error,
};

const char* to_string(ChannelEvent event) noexcept;

struct Received {
    ChannelEvent event = ChannelEvent::io_error;
    Frame frame;          // event == frame
    std::string detail;   // otherwise: what happened
};

class HostChannel {
public:
    HostChannel(UniqueFd socket, FrameLimits limits);

    Received receive(Clock::time_point deadline, int cancel_fd = -1);
    // Writes the whole frame before the deadline (the guest reads it as it can).
    Received send(FrameType type, std::string_view payload, Clock::time_point deadline, int cancel_fd = -1);

    bool dead() const { return dead_; }
    std::uint64_t bytes_received() const { return bytes_received_; }

private:
    Received fail(ChannelEvent event, std::string detail);
    // Waits until `fd_` has `events` or the deadline/cancel fires; nullopt when ready.
    std::optional<Received> wait(short events, Clock::time_point deadline, int cancel_fd);

    UniqueFd fd_;
    FrameDecoder decoder_;
    bool dead_ = false;
    std::uint64_t bytes_received_ = 0;
};

}  // namespace ringfence::vm
