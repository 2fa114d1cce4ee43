// No network: the default profile cannot even create an inet socket, and a
// profile that can still finds an empty network namespace.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <thread>

#include "sandbox_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

namespace {

struct Listener {
    int fd = -1;
    int port = 0;
    Listener() {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
        listen(fd, 4);
        socklen_t len = sizeof(a);
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    bool got_connection() const {
        pollfd p{fd, POLLIN, 0};
        return poll(&p, 1, 100) > 0;
    }
    ~Listener() { close(fd); }
};

}  // namespace

TEST_CASE("connecting to a listener on the host's 127.0.0.1 fails") {
    Listener host;
    auto denied = probe("connect", std::to_string(host.port));
    CHECK(denied.status == RunStatus::security_violation);
    CHECK(denied.violation == std::optional<std::string>("socket"));

    RunSpec spec = probe_spec("connect", std::to_string(host.port));
    spec.profile = profile("inet-sockets");
    auto r = run(spec);
    CHECK(r.status == RunStatus::ok);
    CHECK(r.stdout_data.rfind("blocked: connect 127.0.0.1", 0) == 0);
    CHECK_FALSE(host.got_connection());
}

TEST_CASE("abstract unix sockets of the host and of other sandboxes are unreachable") {
    int host = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    const char name[] = "ringfence-test-host";
    std::memcpy(a.sun_path + 1, name, sizeof(name) - 1);
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + sizeof(name) - 1);
    REQUIRE(bind(host, reinterpret_cast<sockaddr*>(&a), len) == 0);
    REQUIRE(listen(host, 1) == 0);
    auto r = probe("abstract-connect", name);
    CHECK(r.status == RunStatus::ok);
    CHECK(r.stdout_data.rfind("blocked: abstract connect", 0) == 0);
    close(host);

    RunResult listener;
    std::thread t([&] { listener = run(probe_spec("abstract-listen", "ringfence-test-peer")); });
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    auto peer = probe("abstract-connect", "ringfence-test-peer");
    t.join();
    CHECK(listener.stdout_data == "listening\n");
    CHECK(peer.status == RunStatus::ok);
    CHECK(peer.stdout_data.rfind("blocked: abstract connect", 0) == 0);
}

namespace {
// "netns net:[4026532281]" on the first line of a probe's output.
std::string netns_of(const RunResult& r) {
    const auto end = r.stdout_data.find('\n');
    const std::string line = r.stdout_data.substr(0, end);
    return line.rfind("netns net:[", 0) == 0 ? line : std::string();
}
}  // namespace

TEST_CASE("a network namespace serves one sandbox at a time") {
    // Two sandboxes alive at once never share one.
    RunResult holder;
    std::thread t([&] { holder = run(probe_spec("netns", "1500")); });
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    auto other = probe("netns", "0");
    t.join();
    REQUIRE(netns_of(holder) != "");
    REQUIRE(netns_of(other) != "");
    CHECK(netns_of(holder) != netns_of(other));

    // As root, one that has ended goes to the next sandbox of a profile with
    // unix sockets only (the default). Rootless every sandbox gets a fresh one
    // (whose number may still repeat the last one's: the kernel reuses them).
    auto first = probe("netns", "0");
    auto second = probe("netns", "0");
    REQUIRE(netns_of(first) != "");
    if (running_as_root()) CHECK(netns_of(second) == netns_of(first));
}

TEST_CASE("the next sandbox finds no socket of the last in its network namespace") {
    // A run leaves a daemon holding an abstract socket, another one only in
    // flight (freed by the kernel's collector, not by the daemon's end) and,
    // where the profile allows inet sockets, a UDP port. The next run of the
    // same profile sees none of their names, can bind every one of them and
    // the port.
    for (const auto& [profile_name, port] : {std::pair<const char*, const char*>{"default", "0"},
                                             {"inet-sockets", "40123"}}) {
        CAPTURE(profile_name);
        RunSpec leave = probe_spec("leave-net", port);
        leave.profile = profile(profile_name);
        auto left = run(leave);
        CHECK(left.status == RunStatus::ok);
        CHECK(left.stdout_data.find("left sockets behind") != std::string::npos);
        RunSpec find = probe_spec("find-net", port);
        find.profile = profile(profile_name);
        auto found = run(find);
        CHECK(found.status == RunStatus::ok);
        CHECK(found.stdout_data.find("blocked: no sockets of an earlier run") != std::string::npos);
    }
}

TEST_CASE("a sandbox that may open inet sockets leaves no counter for the next to read") {
    // The namespace's cumulative counters move with inet traffic, and nothing
    // resets them: a namespace such a sandbox had is never lent again.
    RunSpec bump = probe_spec("noroutes", "bump");
    bump.profile = profile("inet-sockets");
    auto bumped = run(bump);
    CHECK(bumped.status == RunStatus::ok);
    REQUIRE(bumped.stdout_data.rfind("OutNoRoutes ", 0) == 0);
    CHECK(bumped.stdout_data != "OutNoRoutes 0\n");

    auto after_default = probe("noroutes", "read");
    CHECK(after_default.stdout_data == "OutNoRoutes 0\n");
    RunSpec read = probe_spec("noroutes", "read");
    read.profile = profile("inet-sockets");
    auto after_inet = run(read);
    CHECK(after_inet.stdout_data == "OutNoRoutes 0\n");
}
