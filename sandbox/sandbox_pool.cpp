#include "sandbox_pool.hpp"

#include <algorithm>

namespace ringfence {
namespace {
constexpr auto kIdleShapeLifetime = std::chrono::seconds(30);
// Runs closer together than this are one burst: deferred work waits for a longer pause.
constexpr auto kQuietAfterRun = std::chrono::milliseconds(5);
// Below this many ready, a shape is refilled even beside runs.
unsigned reserve_of(unsigned depth) { return std::max(1u, depth / 4); }
}

SandboxPool::SandboxPool(SandboxContext& context)
    : context_(context), size_(context.config.pool_size), max_(std::max(size_, context.config.pool_max)) {
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

SandboxPool::Entry* SandboxPool::find(const SandboxShape& shape) {
    for (auto& e : entries_)
        if (e.shape == shape) return &e;
    return nullptr;
}

SandboxPool::Entry& SandboxPool::entry_for(const SandboxShape& shape) {
    if (Entry* e = find(shape)) return *e;
    entries_.emplace_back();
    entries_.back().shape = shape;
    entries_.back().depth = size_;
    entries_.back().last_wanted = std::chrono::steady_clock::now();
    return entries_.back();
}

bool SandboxPool::runs_busy(std::chrono::steady_clock::time_point now) const {
    return in_flight_ > 0 || now - last_run_end_ < kQuietAfterRun;
}

Result<SandboxPool::Taken> SandboxPool::take(const SandboxShape& shape, const Limits& limits) {
    if (size_ > 0) {
        std::unique_lock lock(mutex_);
        ++in_flight_;  // from here: building one below is a run's work too
        // Only shapes asked for with want() are kept ready: a one-off shape (a
        // compile, say) would otherwise hold a full pool nobody uses.
        if (Entry* e = find(shape)) {
            e->last_wanted = std::chrono::steady_clock::now();
            e->expected = limits;
            while (!e->ready.empty()) {
                auto sb = std::move(e->ready.front());
                e->ready.pop_front();
                if (sb->alive()) {
                    const bool below_reserve = e->ready.size() < reserve_of(e->depth);
                    lock.unlock();
                    if (below_reserve) wake_.notify_all();
                    return Taken{std::move(sb), true};
                }
                retired_.push_back(std::move(sb));
            }
            lock.unlock();
            wake_.notify_all();
        }
    }
    auto sb = PreparedSandbox::prepare(context_, shape, &limits);
    if (!sb) {
        if (size_ > 0) {
            std::lock_guard lock(mutex_);
            --in_flight_;
            last_run_end_ = std::chrono::steady_clock::now();
        }
        return sb.error();
    }
    return Taken{std::move(*sb), false};
}

void SandboxPool::retire(std::unique_ptr<PreparedSandbox> sandbox) {
    if (size_ == 0) return;  // destroyed right here by the unique_ptr
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        retired_.push_back(std::move(sandbox));
        --in_flight_;
        last_run_end_ = std::chrono::steady_clock::now();
        // A worker with deferred work checks every kQuietAfterRun anyway: waking
        // it at each run's end would only cost the run a wake-up.
        wake = (in_flight_ == 0 && worker_idle_) || retired_.size() > max_;
    }
    if (wake) wake_.notify_all();
}

void SandboxPool::want(const SandboxShape& shape, const Limits& limits, unsigned runs) {
    if (size_ == 0) return;
    {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        Entry& e = entry_for(shape);
        e.last_wanted = now;
        e.expected = limits;
        // The deepest recent want holds, so that jobs of one language alike in
        // size find their sandboxes ready one after another.
        const unsigned wanted = std::clamp(runs, size_, max_);
        if (wanted >= e.depth || now >= e.deep_until) e.depth = wanted;
        if (wanted > size_) e.deep_until = now + kIdleShapeLifetime;
        // More runs are coming than are ready (a judge asks before its compile):
        // build them now, even beside that compile, rather than beside the runs.
        if (e.ready.size() < std::min(runs, e.depth)) e.refilling = true;
    }
    wake_.notify_all();
}

std::size_t SandboxPool::ready_locked() const {
    std::size_t n = 0;
    for (const auto& e : entries_) n += e.ready.size();
    return n;
}

unsigned SandboxPool::ready() const {
    std::lock_guard lock(mutex_);
    return static_cast<unsigned>(ready_locked());
}

void SandboxPool::work() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto now = std::chrono::steady_clock::now();
        const bool busy = runs_busy(now);
        // Tear down first: it frees uids and cgroups the next sandboxes need.
        if (!retired_.empty() && (!busy || retired_.size() > max_)) {
            auto sb = std::move(retired_.front());
            retired_.pop_front();
            lock.unlock();
            sb.reset();
            lock.lock();
            continue;
        }
        // Beyond pool_size a shape grows only while all shapes together hold
        // fewer than pool_max: many languages with big jobs at once stay bounded.
        const std::size_t total_ready = ready_locked();
        Entry* needy = nullptr;
        bool urgent = false;
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (now - it->last_wanted > kIdleShapeLifetime) {
                for (auto& sb : it->ready) retired_.push_back(std::move(sb));
                it = entries_.erase(it);
                continue;
            }
            if (it->depth > size_ && now >= it->deep_until) it->depth = size_;  // the big jobs are over
            const bool may_grow = it->ready.size() < it->depth && (it->ready.size() < size_ || total_ready < max_);
            if (it->ready.size() < reserve_of(it->depth)) it->refilling = true;
            // Full again (as full as it may be), or runs paused: the next burst starts undisturbed.
            if (!busy || !may_grow) it->refilling = false;
            if (may_grow && it->failures < 3 && (!needy || (it->refilling && !urgent))) {
                needy = &*it;
                urgent = it->refilling;
            }
            ++it;
        }
        if (!retired_.empty() && !busy) continue;
        if (!needy || (busy && !urgent)) {
            // Deferred work waits for runs to pause; with none, wait to be asked.
            const bool deferred = needy || !retired_.empty();
            worker_idle_ = !deferred;
            wake_.wait_for(lock, deferred ? std::chrono::steady_clock::duration(kQuietAfterRun)
                                          : std::chrono::steady_clock::duration(std::chrono::seconds(1)));
            worker_idle_ = false;
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
