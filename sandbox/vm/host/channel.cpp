#include "channel.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ringfence::vm {

const char* to_string(ChannelEvent event) noexcept {
    switch (event) {
        case ChannelEvent::frame: return "frame";
        case ChannelEvent::timeout: return "timeout";
        case ChannelEvent::cancelled: return "cancelled";
        case ChannelEvent::closed: return "closed";
        case ChannelEvent::violation: return "protocol violation";
        case ChannelEvent::io_error: return "i/o error";
    }
    return "?";
}

HostChannel::HostChannel(UniqueFd socket, FrameLimits limits)
    : fd_(std::move(socket)), decoder_(Direction::guest_to_host, limits) {
    const int flags = ::fcntl(fd_.get(), F_GETFL);
    if (flags >= 0) ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
}

Received HostChannel::fail(ChannelEvent event, std::string detail) {
    // Timeouts and cancellation end the job too: nothing more is read from a
    // guest whose job was given up on.
    dead_ = true;
    return {event, {}, std::move(detail)};
}

std::optional<Received> HostChannel::wait(short events, Clock::time_point deadline, int cancel_fd) {
    while (true) {
        const auto now = Clock::now();
        if (now >= deadline) return fail(ChannelEvent::timeout, "deadline passed");
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
        pollfd fds[2] = {{fd_.get(), events, 0}, {cancel_fd, POLLIN, 0}};
        const int n = ::poll(fds, cancel_fd >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(left, 60'000)));
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(ChannelEvent::io_error, std::string("poll: ") + std::strerror(errno));
        }
        if (cancel_fd >= 0 && (fds[1].revents & POLLIN)) return fail(ChannelEvent::cancelled, "cancelled");
        if (fds[0].revents != 0) return std::nullopt;
    }
}

Received HostChannel::receive(Clock::time_point deadline, int cancel_fd) {
    if (dead_) return {ChannelEvent::io_error, {}, "channel already failed"};
    char buf[64 * 1024];
    while (true) {
        auto next = decoder_.next();
        if (!next) return fail(ChannelEvent::violation, next.error().message);
        if (next.value()) return {ChannelEvent::frame, std::move(*next.value()), {}};
        if (auto stop = wait(POLLIN, deadline, cancel_fd)) return *stop;
        const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            if (errno == ECONNRESET) return fail(ChannelEvent::closed, "connection reset by the guest side");
            return fail(ChannelEvent::io_error, std::string("recv: ") + std::strerror(errno));
        }
        if (n == 0) {
            const std::size_t partial = decoder_.pending();
            return fail(ChannelEvent::closed, partial ? "guest side closed inside a frame (" +
                                                            std::to_string(partial) + " bytes pending)"
                                                      : "guest side closed");
        }
        bytes_received_ += static_cast<std::uint64_t>(n);
        if (auto fed = decoder_.feed(std::string_view(buf, static_cast<std::size_t>(n))); !fed)
            return fail(ChannelEvent::violation, fed.error().message);
    }
}

Received HostChannel::send(FrameType type, std::string_view payload, Clock::time_point deadline, int cancel_fd) {
    if (dead_) return {ChannelEvent::io_error, {}, "channel already failed"};
    const std::string wire = encode_frame(type, payload);
    std::size_t done = 0;
    while (done < wire.size()) {
        if (auto stop = wait(POLLOUT, deadline, cancel_fd)) return *stop;
        const ssize_t n = ::send(fd_.get(), wire.data() + done, wire.size() - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            if (errno == EPIPE || errno == ECONNRESET) return fail(ChannelEvent::closed, "guest side closed");
            return fail(ChannelEvent::io_error, std::string("send: ") + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    return {ChannelEvent::frame, {type, {}}, {}};
}

}  // namespace ringfence::vm
