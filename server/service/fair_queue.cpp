#include "fair_queue.hpp"

#include <algorithm>

namespace ringfence::server {

void FairQueue::push(const std::string& tenant, const std::string& id) {
    auto& q = queues_[tenant];
    if (q.empty()) rotation_.push_back(tenant);
    q.push_back(id);
    ++size_;
}

bool FairQueue::remove(const std::string& id) {
    for (auto it = queues_.begin(); it != queues_.end(); ++it) {
        auto& q = it->second;
        auto pos = std::find(q.begin(), q.end(), id);
        if (pos == q.end()) continue;
        q.erase(pos);
        --size_;
        if (q.empty()) {
            rotation_.erase(std::find(rotation_.begin(), rotation_.end(), it->first));
            queues_.erase(it);
        }
        return true;
    }
    return false;
}

std::optional<QueuedEntry> FairQueue::pop(const std::function<bool(const std::string&)>& eligible) {
    for (auto it = rotation_.begin(); it != rotation_.end(); ++it) {
        if (!eligible(*it)) continue;
        std::string tenant = *it;
        auto& q = queues_[tenant];
        QueuedEntry entry{tenant, q.front()};
        q.pop_front();
        --size_;
        rotation_.erase(it);
        if (q.empty()) queues_.erase(tenant);
        else rotation_.push_back(tenant);
        return entry;
    }
    return std::nullopt;
}

std::size_t FairQueue::size(const std::string& tenant) const {
    auto it = queues_.find(tenant);
    return it == queues_.end() ? 0 : it->second.size();
}

std::map<std::string, std::uint64_t> FairQueue::depths() const {
    std::map<std::string, std::uint64_t> out;
    for (const auto& [tenant, q] : queues_) out[tenant] = q.size();
    return out;
}

}  // namespace ringfence::server
