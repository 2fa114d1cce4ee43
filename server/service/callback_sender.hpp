// Delivers finished jobs' callbacks from the store: signed with HMAC-SHA256,
// retried with exponential backoff, only to addresses the policy allows. The
// store keeps them, so a restart resumes delivery where it stopped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "config.hpp"
#include "metrics.hpp"
#include "store.hpp"

namespace ringfence::server {

struct CallbackAttempt {
    bool delivered = false;
    bool permanent_failure = false;  // retrying cannot help (forbidden address, bad URL)
    unsigned status = 0;
    std::string error;
};

// The signature header value: "t=<unix seconds>,sha256=<hex HMAC of "<t>.<body>">".
std::string callback_signature(const std::string& secret, std::int64_t unix_seconds, const std::string& body);

// Sends one request; blocking, bounded by `timeout_ms`.
CallbackAttempt send_callback(const PendingCallback& callback, const std::string& secret,
                              const CallbackConfig& config);

class CallbackSender {
public:
    using SecretFor = std::function<std::string(const std::string& tenant)>;
    CallbackSender(JobStore& store, const CallbackConfig& config, Metrics& metrics, SecretFor secret_for);
    ~CallbackSender();
    void start();
    void wake();
    void stop();

private:
    void loop();
    JobStore& store_;
    const CallbackConfig& config_;
    Metrics& metrics_;
    SecretFor secret_for_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    bool woken_ = false;
    std::thread thread_;
};

}  // namespace ringfence::server
