#include "tenants.hpp"

#include <algorithm>
#include <cmath>

#include "crypto.hpp"

namespace ringfence::server {

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock::time_point now)
    : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(now) {}

void TokenBucket::refill(Clock::time_point now) {
    if (now <= last_) return;
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
}

TokenBucket::Decision TokenBucket::take(Clock::time_point now) {
    refill(now);
    Decision d;
    if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        d.allowed = true;
    } else {
        d.retry_after_s = (1.0 - tokens_) / rate_;
    }
    d.remaining = std::floor(tokens_);
    d.reset_s = (burst_ - tokens_) / rate_;
    return d;
}

TenantRegistry::TenantRegistry(const ServiceConfig& config) : config_(config) {
    for (const auto& t : config_.tenants)
        for (const auto& h : t.api_key_sha256) by_hash_[h] = &t;
}

AuthResult TenantRegistry::authenticate(const std::optional<std::string>& key) const {
    if (!key || key->empty()) {
        if (config_.anonymous_tenant.empty()) return {AuthOutcome::missing, nullptr};
        return {AuthOutcome::ok, config_.find_tenant(config_.anonymous_tenant)};
    }
    std::string hash = sha256_hex(*key);
    // The map lookup compares hashes of the key, so its timing says nothing about the key itself.
    auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) return {AuthOutcome::unknown_key, nullptr};
    return {AuthOutcome::ok, it->second};
}

TokenBucket::Decision TenantRegistry::take_token(const TenantConfig& tenant) {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(tenant.name);
    if (it == buckets_.end())
        it = buckets_.emplace(tenant.name, TokenBucket(tenant.rate_per_second, tenant.burst)).first;
    return it->second.take();
}

}  // namespace ringfence::server
