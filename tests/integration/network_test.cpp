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
