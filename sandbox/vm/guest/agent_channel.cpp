#include "agent_channel.hpp"

#include <unistd.h>

#include <cerrno>

namespace ringfence::vm::guest {

Result<void> AgentChannel::send(FrameType type, std::string_view payload) {
    const std::string wire = encode_frame(type, payload);
    std::lock_guard lock(send_mutex_);
    std::size_t done = 0;
    while (done < wire.size()) {
        const ssize_t n = ::write(port_.get(), wire.data() + done, wire.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return setup_error("write to the host channel", errno);
        done += static_cast<std::size_t>(n);
    }
    return {};
}

Result<Frame> AgentChannel::receive() {
    char buf[64 * 1024];
    while (true) {
        auto next = decoder_.next();
        if (!next) return std::move(next).error();
        if (next.value()) return std::move(*next.value());
        const ssize_t n = ::read(port_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return setup_error("read from the host channel", errno);
        // The port reads 0 while the host end is not connected: wait and retry.
        if (n == 0) {
            ::usleep(1000);
            continue;
        }
        if (auto fed = decoder_.feed(std::string_view(buf, static_cast<std::size_t>(n))); !fed)
            return std::move(fed).error();
    }
}

}  // namespace ringfence::vm::guest
