#include "sandbox_pool.hpp"

namespace ringfence {
namespace {
constexpr auto kIdleShapeLifetime = std::chrono::seconds(30);
}

SandboxPool::SandboxPool(SandboxContext& context)
    : context_(context), size_(context.config.pool_size) {
    if (size_ > 0) worker_ = std::thread([this] { work(); });
}

SandboxPool::~SandboxPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

SandboxPool::Entry& SandboxPool::entry_for(const SandboxShape& shape) {
    for (auto& e : entries_)
        if (e.shape == shape) return e;
    entries_.emplace_back();
    entries_.back().shape = shape;
    entries_.back().last_wanted = std::chrono::steady_clock::now();
    return entries_.back();
}

Result<SandboxPool::Taken> SandboxPool::take(const SandboxShape& shape, const Limits& limits) {
    if (size_ > 0) {
        std::unique_lock lock(mutex_);
        Entry& e = entry_for(shape);
        e.last_wanted = std::chrono::steady_clock::now();
        e.expected = limits;
        while (!e.ready.empty()) {
            auto sb = std::move(e.ready.front());
            e.ready.pop_front();
            if (sb->alive()) {
                lock.unlock();
                wake_.notify_all();
                return Taken{std::move(sb), true};
            }
            retired_.push_back(std::move(sb));
        }
        lock.unlock();
        wake_.notify_all();
    }
    auto sb = PreparedSandbox::prepare(context_, shape, &limits);
    if (!sb) return sb.error();
    return Taken{std::move(*sb), false};
}

void SandboxPool::retire(std::unique_ptr<PreparedSandbox> sandbox) {
    if (size_ == 0) return;  // destroyed right here by the unique_ptr
    {
        std::lock_guard lock(mutex_);
        retired_.push_back(std::move(sandbox));
    }
    wake_.notify_all();
}

void SandboxPool::want(const SandboxShape& shape, const Limits& limits) {
    if (size_ == 0) return;
    {
        std::lock_guard lock(mutex_);
        Entry& e = entry_for(shape);
        e.last_wanted = std::chrono::steady_clock::now();
        e.expected = limits;
    }
    wake_.notify_all();
}

void SandboxPool::work() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        // Tear down first: it frees uids and cgroups the next sandboxes need.
        if (!retired_.empty()) {
            auto sb = std::move(retired_.front());
            retired_.pop_front();
            lock.unlock();
            sb.reset();
            lock.lock();
            continue;
        }
        const auto now = std::chrono::steady_clock::now();
        Entry* needy = nullptr;
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (now - it->last_wanted > kIdleShapeLifetime) {
                for (auto& sb : it->ready) retired_.push_back(std::move(sb));
                it = entries_.erase(it);
                continue;
            }
            if (!needy && it->ready.size() < size_ && it->failures < 3) needy = &*it;
            ++it;
        }
        if (!retired_.empty()) continue;
        if (!needy) {
            wake_.wait_for(lock, std::chrono::seconds(1));
            continue;
        }
        SandboxShape shape = needy->shape;
        const Limits expected = needy->expected;
        lock.unlock();
        auto sb = PreparedSandbox::prepare(context_, shape, &expected);
        lock.lock();
        Entry& e = entry_for(shape);
        if (sb) {
            e.failures = 0;
            e.ready.push_back(std::move(*sb));
        } else {
            ++e.failures;  // the caller's own attempt will report the error
        }
    }
    for (auto& e : entries_) e.ready.clear();
    retired_.clear();
}

}  // namespace ringfence
