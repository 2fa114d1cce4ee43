// The order in which queued jobs reach workers: round-robin over the tenants
// that have jobs waiting, FIFO within a tenant, so one tenant's flood cannot
// starve another. A tenant at its concurrency cap is skipped, not blocking.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace ringfence::server {

struct QueuedEntry {
    std::string tenant;
    std::string id;
};

class FairQueue {
public:
    void push(const std::string& tenant, const std::string& id);
    bool remove(const std::string& id);
    // The next job of the first tenant in rotation for which `eligible(tenant)`;
    // that tenant then moves to the back of the rotation.
    std::optional<QueuedEntry> pop(const std::function<bool(const std::string& tenant)>& eligible);

    std::size_t size() const { return size_; }
    std::size_t size(const std::string& tenant) const;
    std::map<std::string, std::uint64_t> depths() const;

private:
    std::map<std::string, std::deque<std::string>> queues_;
    std::deque<std::string> rotation_;  // tenants with at least one queued job
    std::size_t size_ = 0;
};

}  // namespace ringfence::server
