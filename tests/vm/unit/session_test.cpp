// The host's session code against a fake guest on the other end of a
// socketpair: the production code path facing a hostile peer, byte for byte.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "vm/host/session.hpp"

using namespace ringfence;
using namespace ringfence::vm;

namespace {

struct Peer {
    UniqueFd host, guest;
    Peer() {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        host.reset(sv[0]);
        guest.reset(sv[1]);
    }
    void say(const std::string& bytes) const { REQUIRE(::write(guest.get(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())); }
};

Clock::time_point soon(int ms = 2000) { return Clock::now() + std::chrono::milliseconds(ms); }

JobRequest run_job(std::uint64_t output_limit = 100) {
    JobRequest q;
    q.run.argv = {"/bin/true"};
    q.run.limits.output_bytes = output_limit;
    return q;
}

std::string ready_frame() { return encode_frame(FrameType::ready, encode_ready(ReadyInfo{"t", "6.1", "id", "c", 1, 1, {"lo"}})); }

// Drains what the host sends so its job write never blocks.
std::thread drain(const Peer& p) {
    return std::thread([fd = p.guest.get()] {
        char buf[4096];
        while (::read(fd, buf, sizeof buf) > 0) {
        }
    });
}

}  // namespace

TEST_CASE("a well-behaved fake guest: ready, streamed output, result") {
    Peer p;
    GuestSession s(HostChannel(std::move(p.host), FrameLimits{}));
    p.say(ready_frame());
    auto ready = s.wait_ready(soon());
    REQUIRE(ready.ok());
    CHECK(ready.value->net_interfaces == std::vector<std::string>{"lo"});
    RunResult r;
    r.status = RunStatus::ok;
    p.say(encode_frame(FrameType::stdout_data, "hel") + encode_frame(FrameType::stdout_data, "lo") +
          encode_frame(FrameType::result, encode_run_result(r)));
    auto t = drain(p);
    auto out = s.run(run_job(), OutputTarget::capture(), OutputTarget::capture(), soon());
    ::shutdown(p.guest.get(), SHUT_RDWR);
    t.join();
    REQUIRE(out.ok());
    CHECK(out.value->stdout_data == "hello");
    CHECK(out.value->tier == "vm");
}

TEST_CASE("hostile peers: every deviation ends the session as a violation") {
    RunResult ok_result;
    struct Case {
        const char* name;
        std::string after_ready;  // what the fake guest sends once the job is out
        const char* expect;
    };
    const Case cases[] = {
        {"oversized result header", std::string("RFVM\x01\x04\x00\x00\xff\xff\xff\x7f", 12), "exceeds the limit"},
        {"bad magic", "GET / HTTP/1.1\r\n", "bad magic"},
        {"a second ready", ready_frame(), "unexpected 'ready'"},
        {"output beyond the limit", encode_frame(FrameType::stdout_data, std::string(101, 'x')), "output limit"},
        {"malformed result JSON", encode_frame(FrameType::result, "{\"status\":"), "not valid JSON"},
        {"result with an unknown field", encode_frame(FrameType::result, "{\"status\":\"ok\",\"x\":1}"), "result"},
        {"truncated frame then close", encode_frame(FrameType::result, "{}").substr(0, 13), "closed inside a frame"},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.name));
        Peer p;
        GuestSession s(HostChannel(std::move(p.host), FrameLimits{}));
        p.say(ready_frame());
        REQUIRE(s.wait_ready(soon()).ok());
        p.say(c.after_ready);
        if (std::string(c.name).find("close") != std::string::npos) ::shutdown(p.guest.get(), SHUT_WR);
        auto t = drain(p);
        auto out = s.run(run_job(), OutputTarget::capture(), OutputTarget::capture(), soon());
        ::shutdown(p.guest.get(), SHUT_RDWR);
        t.join();
        REQUIRE_FALSE(out.ok());
        CHECK_MESSAGE(out.error.message.find(c.expect) != std::string::npos, out.error.message);
        CHECK((out.error.end == SessionEnd::violation || out.error.end == SessionEnd::guest_gone));
    }
}

TEST_CASE("a silent peer times out; a peer that sends a result before ready is refused") {
    {
        Peer p;
        GuestSession s(HostChannel(std::move(p.host), FrameLimits{}));
        const auto t0 = Clock::now();
        auto ready = s.wait_ready(soon(200));
        CHECK_FALSE(ready.ok());
        CHECK(ready.error.end == SessionEnd::timeout);
        CHECK(Clock::now() - t0 >= std::chrono::milliseconds(200));
    }
    {
        Peer p;
        GuestSession s(HostChannel(std::move(p.host), FrameLimits{}));
        p.say(encode_frame(FrameType::result, "{}"));
        auto ready = s.wait_ready(soon());
        REQUIRE_FALSE(ready.ok());
        CHECK(ready.error.end == SessionEnd::violation);
        CHECK(ready.error.message.find("expected 'ready'") != std::string::npos);
    }
}
