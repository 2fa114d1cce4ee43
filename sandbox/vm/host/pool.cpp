#include "pool.hpp"

#include <algorithm>

namespace ringfence::vm {

VmPool::VmPool(const VmEnvironment& env, VmShape shape, unsigned size, Log log)
    : env_(env), shape_(shape), size_(size), log_(std::move(log)), refill_([this] { refill_loop(); }) {}

VmPool::~VmPool() {
    std::deque<std::unique_ptr<Vm>> idle;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        idle.swap(idle_);
    }
    changed_.notify_all();
    idle.clear();  // kills the idle VMs
    if (refill_.joinable()) refill_.join();
}

std::unique_ptr<Vm> VmPool::take() {
    std::unique_lock lock(mutex_);
    while (!idle_.empty()) {
        std::unique_ptr<Vm> vm = std::move(idle_.front());
        idle_.pop_front();
        if (vm->alive()) {
            ++stats_.handed_out;
            lock.unlock();
            changed_.notify_all();  // wake the refill
            return vm;
        }
        ++stats_.discarded;  // its QEMU died while idle: never hand it out
    }
    changed_.notify_all();
    return nullptr;
}

bool VmPool::wait_idle(unsigned count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return idle_.size() >= count || stopping_; }) &&
           idle_.size() >= count;
}

PoolStats VmPool::stats() const {
    std::lock_guard lock(mutex_);
    PoolStats s = stats_;
    s.idle = static_cast<unsigned>(idle_.size());
    return s;
}

void VmPool::refill_loop() {
    auto backoff = std::chrono::milliseconds(500);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (idle_.size() >= size_) {
            changed_.wait(lock, [&] { return stopping_ || idle_.size() < size_; });
            continue;
        }
        lock.unlock();
        auto vm = Vm::boot(env_, shape_);
        lock.lock();
        if (stopping_) break;  // `vm` dies on leaving the scope
        if (!vm) {
            ++stats_.boot_failures;
            if (log_) log_("VM pool: boot failed, retrying in " + std::to_string(backoff.count()) + " ms: " +
                           vm.error().describe());
            changed_.wait_for(lock, backoff, [&] { return stopping_; });
            backoff = std::min(backoff * 2, std::chrono::milliseconds(30'000));
            continue;
        }
        backoff = std::chrono::milliseconds(500);
        ++stats_.booted;
        stats_.last_boot_us = (*vm)->boot_us();
        idle_.push_back(std::move(vm.value()));
        changed_.notify_all();
    }
}

}  // namespace ringfence::vm
