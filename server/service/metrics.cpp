#include "metrics.hpp"

#include <cstdio>

namespace ringfence::server {
namespace {

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

const std::vector<double> kLatencyBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                            0.5,   1,      2.5,   5,    10,    30,   60,  300};

void header(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

}  // namespace

std::string escape_label(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
    std::size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;
    ++counts_[i];
    sum_ += value;
    ++count_;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
    std::string prefix = labels.empty() ? "" : labels + ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += counts_[i];
        std::string le = i < bounds_.size() ? number(bounds_[i]) : "+Inf";
        out += name + "_bucket{" + prefix + "le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
    }
    std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out += name + "_sum" + braces + " " + number(sum_) + "\n";
    out += name + "_count" + braces + " " + std::to_string(count_) + "\n";
}

Metrics::Metrics()
    : queue_wait_(kLatencyBounds), sandbox_setup_(kLatencyBounds), compile_(kLatencyBounds), run_(kLatencyBounds) {}

void Metrics::job_finished(const std::string& verdict, const std::string& language, const std::string& tier) {
    std::lock_guard lock(mutex_);
    ++jobs_[{verdict, language, tier}];
}
void Metrics::queue_wait(double s) {
    std::lock_guard lock(mutex_);
    queue_wait_.observe(s);
}
void Metrics::sandbox_setup(double s) {
    std::lock_guard lock(mutex_);
    sandbox_setup_.observe(s);
}
void Metrics::compile_time(double s) {
    std::lock_guard lock(mutex_);
    compile_.observe(s);
}
void Metrics::run_time(double s) {
    std::lock_guard lock(mutex_);
    run_.observe(s);
}
void Metrics::rejection(const std::string& reason) {
    std::lock_guard lock(mutex_);
    ++rejections_[reason];
}
void Metrics::http_request(const std::string& api, unsigned status) {
    std::lock_guard lock(mutex_);
    ++requests_[{api, status}];
}
void Metrics::callback_sent(bool delivered) {
    std::lock_guard lock(mutex_);
    ++(delivered ? callbacks_delivered_ : callbacks_failed_);
}

std::string Metrics::render(const GaugeSnapshot& g) const {
    std::lock_guard lock(mutex_);
    std::string out;
    header(out, "ringfence_queue_depth", "gauge", "Jobs waiting for a worker, per tenant.");
    for (const auto& [tenant, n] : g.queued_by_tenant)
        out += "ringfence_queue_depth{tenant=\"" + escape_label(tenant) + "\"} " + std::to_string(n) + "\n";
    header(out, "ringfence_jobs_running", "gauge", "Jobs being executed, per tenant.");
    for (const auto& [tenant, n] : g.running_by_tenant)
        out += "ringfence_jobs_running{tenant=\"" + escape_label(tenant) + "\"} " + std::to_string(n) + "\n";
    header(out, "ringfence_workers", "gauge", "Size of the worker pool.");
    out += "ringfence_workers " + std::to_string(g.workers) + "\n";
    header(out, "ringfence_active_sandboxes", "gauge", "Sandboxes alive right now.");
    out += "ringfence_active_sandboxes " + std::to_string(g.active_sandboxes) + "\n";
    header(out, "ringfence_tier_available", "gauge", "Isolation tiers taking jobs, with their accelerator.");
    for (const auto& [tier, accel] : g.tiers)
        out += "ringfence_tier_available{tier=\"" + escape_label(tier) + "\",accel=\"" + escape_label(accel) + "\"} 1\n";
    header(out, "ringfence_callbacks_pending", "gauge", "Callbacks waiting to be delivered.");
    out += "ringfence_callbacks_pending " + std::to_string(g.pending_callbacks) + "\n";
    header(out, "ringfence_jobs_total", "counter", "Finished jobs by verdict, language and isolation tier.");
    for (const auto& [key, n] : jobs_) {
        const auto& [verdict, language, tier] = key;
        out += "ringfence_jobs_total{verdict=\"" + escape_label(verdict) + "\",language=\"" + escape_label(language) +
               "\",tier=\"" + escape_label(tier) + "\"} " + std::to_string(n) + "\n";
    }
    header(out, "ringfence_rejections_total", "counter", "Requests refused, by reason.");
    for (const auto& [reason, n] : rejections_)
        out += "ringfence_rejections_total{reason=\"" + escape_label(reason) + "\"} " + std::to_string(n) + "\n";
    header(out, "ringfence_http_requests_total", "counter", "HTTP requests by API and status code.");
    for (const auto& [key, n] : requests_)
        out += "ringfence_http_requests_total{api=\"" + escape_label(key.first) + "\",code=\"" +
               std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
    header(out, "ringfence_callbacks_total", "counter", "Callback attempts by outcome.");
    out += "ringfence_callbacks_total{outcome=\"delivered\"} " + std::to_string(callbacks_delivered_) + "\n";
    out += "ringfence_callbacks_total{outcome=\"failed\"} " + std::to_string(callbacks_failed_) + "\n";
    header(out, "ringfence_queue_wait_seconds", "histogram", "Time from acceptance to a worker starting the job.");
    queue_wait_.render(out, "ringfence_queue_wait_seconds");
    header(out, "ringfence_sandbox_setup_seconds", "histogram", "Time to build a sandbox and start the program.");
    sandbox_setup_.render(out, "ringfence_sandbox_setup_seconds");
    header(out, "ringfence_compile_seconds", "histogram", "Wall time of compile steps.");
    compile_.render(out, "ringfence_compile_seconds");
    header(out, "ringfence_run_seconds", "histogram", "Wall time of test runs.");
    run_.render(out, "ringfence_run_seconds");
    return out;
}

}  // namespace ringfence::server
