// The init server's network namespace lender, driven from this process: it
// moves this process between namespaces and back to the one it started in.
#include "netns_lender.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

ino_t current_netns() {
    struct stat st {};
    REQUIRE(stat("/proc/thread-self/ns/net", &st) == 0);
    return st.st_ino;
}

// Polls the lender's loans without waiting and takes back what ended.
void collect_now(ringfence::NetnsLender& lender) {
    std::vector<pollfd> fds;
    lender.add_poll_fds(fds);
    REQUIRE(poll(fds.data(), fds.size(), 0) >= 0);
    lender.collect(fds.data(), fds.size());
}

}  // namespace

TEST_CASE("a network namespace is lent to one init at a time and comes back when it ends") {
    const ino_t host = current_netns();
    ringfence::NetnsLender lender;
    lender.start();
    if (!lender.lending()) {
        MESSAGE("this process may not make network namespaces: every init gets a fresh one");
        CHECK(lender.enter_free() == -1);
        CHECK(current_netns() == host);
        return;
    }
    const int first = lender.enter_free();
    REQUIRE(first >= 0);
    const ino_t lent = current_netns();
    CHECK(lent != host);

    // A child stands in for the init that borrows it.
    int hold[2];
    REQUIRE(pipe(hold) == 0);
    const pid_t init = fork();
    if (init == 0) {
        close(hold[1]);
        char byte;
        (void)!read(hold[0], &byte, 1);
        _exit(0);
    }
    close(hold[0]);
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, init, 0));
    REQUIRE(pidfd >= 0);
    lender.lend(first, pidfd);

    // While that one is out, the next init gets another.
    const int second = lender.enter_free();
    REQUIRE(second >= 0);
    CHECK(current_netns() != lent);
    CHECK(current_netns() != host);
    lender.keep(second);  // say its clone failed
    collect_now(lender);
    CHECK(lender.lent_count() == 1);
    CHECK(lender.free_count() == 1);

    close(hold[1]);  // the stand-in ends
    REQUIRE(waitpid(init, nullptr, 0) == init);
    collect_now(lender);
    CHECK(lender.lent_count() == 0);
    CHECK(lender.free_count() == 2);

    // Network-allowed sandboxes are born in the host's namespace.
    CHECK(lender.enter_host());
    CHECK(current_netns() == host);
}

TEST_CASE("a network namespace that still holds a socket is not lent again") {
    const ino_t host = current_netns();
    ringfence::NetnsLender lender;
    lender.start();
    if (!lender.lending()) return;  // said by the case above
    const int first = lender.enter_free();
    REQUIRE(first >= 0);
    const ino_t lent = current_netns();
    // Made in the namespace this process is in: it outlives the borrower,
    // as a unix socket only in flight outlives its sandbox.
    const int lingering = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(lingering >= 0);

    const pid_t init = fork();
    if (init == 0) _exit(0);
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, init, 0));
    REQUIRE(pidfd >= 0);
    lender.lend(first, pidfd);
    REQUIRE(waitpid(init, nullptr, 0) == init);
    collect_now(lender);
    CHECK(lender.free_count() == 1);

    const int next = lender.enter_free();
    REQUIRE(next >= 0);
    CHECK(current_netns() != lent);
    CHECK(current_netns() != host);
    lender.keep(next);
    close(lingering);
    CHECK(lender.enter_host());
    CHECK(current_netns() == host);
}
