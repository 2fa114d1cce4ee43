// The guest end of the agent channel: blocking frames over the virtio-serial
// port. Sends are serialised, so an output pump thread and the job thread can
// share it.
#pragma once

#include <mutex>
#include <string_view>

#include "protocol/frame.hpp"
#include "unique_fd.hpp"

namespace ringfence::vm::guest {

class AgentChannel {
public:
    explicit AgentChannel(UniqueFd port) : port_(std::move(port)), decoder_(Direction::host_to_guest, FrameLimits{}) {}

    Result<void> send(FrameType type, std::string_view payload);
    Result<Frame> receive();  // blocks until a whole frame arrived
    int fd() const { return port_.get(); }

private:
    UniqueFd port_;
    FrameDecoder decoder_;
    std::mutex send_mutex_;
};

}  // namespace ringfence::vm::guest
