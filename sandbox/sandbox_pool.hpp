// Sandboxes prepared ahead of time, each used by exactly one run. Building a
// sandbox (namespaces, mount tree, cgroup) is most of a run's overhead; a
// background thread does it between runs, and tears used ones down, so a run's
// critical path is only "hand over stdio, exec, wait".
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
    // `limits` are the run's: sandboxes prepared from now on expect them.
    Result<Taken> take(const SandboxShape& shape, const Limits& limits);
    // Destroys a used sandbox, off the caller's path when the pool runs.
    void retire(std::unique_ptr<PreparedSandbox> sandbox);
    // Keeps `pool_size` sandboxes of this shape ready for a while.
    void want(const SandboxShape& shape, const Limits& limits);

private:
    struct Entry {
        SandboxShape shape;
        Limits expected;  // of the shape's last run: the next ones most likely ask the same
        std::deque<std::unique_ptr<PreparedSandbox>> ready;
        std::chrono::steady_clock::time_point last_wanted;
        unsigned failures = 0;  // consecutive: back off instead of spinning on a broken shape
    };
    void work();
    Entry& entry_for(const SandboxShape& shape);  // mutex held

    SandboxContext& context_;
    const unsigned size_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::list<Entry> entries_;  // list: Entry holds a deque of move-only pointers
    std::deque<std::unique_ptr<PreparedSandbox>> retired_;
    bool stopping_ = false;
    std::thread worker_;  // also the parent whose exit kills pooled inits (PDEATHSIG)
};

}  // namespace ringfence
