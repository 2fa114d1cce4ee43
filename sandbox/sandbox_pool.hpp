// Sandboxes prepared ahead of time, each used by exactly one run. Building a
// sandbox (namespaces, mount tree, cgroup) is most of a run's overhead; a
// background thread does it, and tears used ones down, so a run's critical
// path is only "hand over stdio, exec, wait".
//
// That thread keeps out of the runs' way where it can: building and tearing
// down slow a run going on beside them far more than their share of CPU
// would explain (a pooled /bin/true took 2.2 ms instead of 1.3 ms with
// refills beside it, on a two-core host). So while runs come back to back the
// pool is drawn down, and refilled once runs pause. Only once a shape's ready
// sandboxes fall below a reserve (a quarter of the pool) does it refill beside
// the runs, and then until the shape is full again or runs pause, so a steady
// stream of runs longer than the pool is served as before (such a stream uses
// sandboxes faster than one thread builds them, so the pool never fills), and
// a pool filled while a compiler ran serves the tests after it undisturbed.
// A judge asks for as many as its job has tests (up to pool_max), so a big
// job's sandboxes are built while its compiler runs rather than beside its tests.
// Used sandboxes are torn down beside runs only when more of them wait than
// the pool may hold (pool_max): a big job's runs are not slowed by teardowns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <list>

#include "prepared_sandbox.hpp"

namespace ringfence {

class SandboxPool {
public:
    explicit SandboxPool(SandboxContext& context);
    ~SandboxPool();
    SandboxPool(const SandboxPool&) = delete;
    SandboxPool& operator=(const SandboxPool&) = delete;

    struct Taken {
        std::unique_ptr<PreparedSandbox> sandbox;
        bool from_pool = false;
    };
    // A ready sandbox of this shape, or one built now in the calling thread.
    // `limits` are the run's: sandboxes prepared from now on expect them. A
    // shape never passed to want() is always built here.
    Result<Taken> take(const SandboxShape& shape, const Limits& limits);
    // Destroys a used sandbox, off the caller's path when the pool runs. Every
    // sandbox take() returned comes back here: the pool counts runs in flight.
    void retire(std::unique_ptr<PreparedSandbox> sandbox);
    // Keeps `pool_size` sandboxes of this shape ready for a while, or `runs`
    // when that is more (the most asked for in the last 30 s), as long as all
    // shapes together hold fewer than `pool_max`.
    void want(const SandboxShape& shape, const Limits& limits, unsigned runs = 0);
    // Sandboxes ready now, all shapes together.
    unsigned ready() const;

private:
    struct Entry {
        SandboxShape shape;
        Limits expected;  // of the shape's last run: the next ones most likely ask the same
        unsigned depth = 0;  // sandboxes to keep ready: pool_size, or more while big jobs want them
        std::chrono::steady_clock::time_point deep_until;  // when a depth above pool_size lapses
        std::deque<std::unique_ptr<PreparedSandbox>> ready;
        std::chrono::steady_clock::time_point last_wanted;
        unsigned failures = 0;  // consecutive: back off instead of spinning on a broken shape
        bool refilling = false;  // fell below the reserve: refill beside runs until full or a pause
    };
    void work();
    Entry* find(const SandboxShape& shape);        // mutex held
    Entry& entry_for(const SandboxShape& shape);  // mutex held; created when missing
    // Whether runs are going on or paused only a moment ago (mutex held).
    bool runs_busy(std::chrono::steady_clock::time_point now) const;
    std::size_t ready_locked() const;  // all shapes together; mutex_ held

    SandboxContext& context_;
    const unsigned size_;
    const unsigned max_;  // the deepest a shape may be asked to be, and the most all shapes grow to
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::list<Entry> entries_;  // list: Entry holds a deque of move-only pointers
    std::deque<std::unique_ptr<PreparedSandbox>> retired_;
    unsigned in_flight_ = 0;  // sandboxes taken and not yet retired
    bool worker_idle_ = false;  // waiting to be asked, not for runs to pause
    std::chrono::steady_clock::time_point last_run_end_{};
    bool stopping_ = false;
    std::thread worker_;  // also the parent whose exit kills pooled inits (PDEATHSIG)
};

}  // namespace ringfence
