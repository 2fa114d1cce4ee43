// Prometheus text exposition of what an operator watches: queue depth per
// tenant, jobs by verdict/language/tier, latency histograms, rejections.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace ringfence::server {

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value);
    // Lines for `name` (…_bucket{le=…}, …_sum, …_count); `labels` without braces.
    void render(std::string& out, const std::string& name, const std::string& labels = "") const;

private:
    std::vector<double> bounds_;
    std::vector<std::uint64_t> counts_;  // per bucket, not cumulative
    double sum_ = 0;
    std::uint64_t count_ = 0;
};

struct GaugeSnapshot {
    std::map<std::string, std::uint64_t> queued_by_tenant;
    std::map<std::string, std::uint64_t> running_by_tenant;
    unsigned active_sandboxes = 0;
    std::uint64_t pending_callbacks = 0;
    unsigned workers = 0;
    std::map<std::string, std::string> tiers;  // isolation tiers taking jobs -> accelerator ("" none)
};

class Metrics {
public:
    Metrics();
    void job_finished(const std::string& verdict, const std::string& language, const std::string& tier);
    void queue_wait(double seconds);
    void sandbox_setup(double seconds);
    void compile_time(double seconds);
    void run_time(double seconds);
    void rejection(const std::string& reason);
    void http_request(const std::string& api, unsigned status);
    void callback_sent(bool delivered);

    std::string render(const GaugeSnapshot& gauges) const;

private:
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> jobs_;
    std::map<std::string, std::uint64_t> rejections_;
    std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
    std::uint64_t callbacks_delivered_ = 0;
    std::uint64_t callbacks_failed_ = 0;
    Histogram queue_wait_;
    Histogram sandbox_setup_;
    Histogram compile_;
    Histogram run_;
};

// Escapes a label value per the exposition format (\\, \", \n).
std::string escape_label(const std::string& value);

}  // namespace ringfence::server
