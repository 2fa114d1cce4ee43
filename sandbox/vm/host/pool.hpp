// A warm pool of booted, idle, never-used VMs of one shape, refilled in the
// background. A pooled VM serves exactly one job and is then destroyed, like
// any other: the pool only moves the boot off the job's critical path. VMs
// carry no tenant data until their job arrives, so any tenant may take any.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "vm.hpp"

namespace ringfence::vm {

struct PoolStats {
    unsigned idle = 0;
    std::uint64_t booted = 0;
    std::uint64_t handed_out = 0;
    std::uint64_t boot_failures = 0;
    std::uint64_t discarded = 0;  // idle VMs found dead before use
    std::uint64_t last_boot_us = 0;
};

class VmPool {
public:
    using Log = std::function<void(const std::string&)>;

    VmPool(const VmEnvironment& env, VmShape shape, unsigned size, Log log);
    ~VmPool();  // stops refilling and destroys the idle VMs
    VmPool(const VmPool&) = delete;
    VmPool& operator=(const VmPool&) = delete;

    const VmShape& shape() const { return shape_; }
    // An idle VM, or nullptr when none is ready (the caller boots one itself).
    std::unique_ptr<Vm> take();
    // Blocks until `count` VMs are idle or `timeout` passes (tests, benchmarks).
    bool wait_idle(unsigned count, std::chrono::milliseconds timeout);
    PoolStats stats() const;

private:
    void refill_loop();

    const VmEnvironment& env_;
    const VmShape shape_;
    const unsigned size_;
    Log log_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::unique_ptr<Vm>> idle_;
    PoolStats stats_;
    bool stopping_ = false;
    // Declared last: the refill thread starts once everything above exists.
    // It also stays alive as long as the pool, which matters: QEMU processes
    // die with the thread that started them (their parent-death signal).
    std::thread refill_;
};

}  // namespace ringfence::vm
