// Who is calling, and may they: API keys (compared by SHA-256 hash) map to
// tenants; each tenant has a token bucket for its request rate.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "config.hpp"

namespace ringfence::server {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;
    TokenBucket(double rate_per_second, double burst, Clock::time_point now = Clock::now());

    struct Decision {
        bool allowed = false;
        double remaining = 0;        // whole tokens left after this request
        double retry_after_s = 0;    // when refused: until one token is back
        double reset_s = 0;          // until the bucket is full again
    };
    Decision take(Clock::time_point now = Clock::now());
    double rate() const { return rate_; }
    double burst() const { return burst_; }

private:
    void refill(Clock::time_point now);
    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_;
};

enum class AuthOutcome { ok, missing, unknown_key };

struct AuthResult {
    AuthOutcome outcome = AuthOutcome::missing;
    const TenantConfig* tenant = nullptr;
};

class TenantRegistry {
public:
    explicit TenantRegistry(const ServiceConfig& config);

    // `key`: the credential presented (nullopt when none). No key: the
    // anonymous tenant, if the configuration has one.
    AuthResult authenticate(const std::optional<std::string>& key) const;
    TokenBucket::Decision take_token(const TenantConfig& tenant);
    const TenantConfig* find(const std::string& name) const { return config_.find_tenant(name); }
    const ServiceConfig& config() const { return config_; }

private:
    const ServiceConfig& config_;
    std::map<std::string, const TenantConfig*> by_hash_;
    std::mutex mutex_;
    std::map<std::string, TokenBucket> buckets_;
};

}  // namespace ringfence::server
