// One JSON line per HTTP request, kept apart from the audit log: it answers
// "who called what", not "what ran".
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace ringfence::server {

struct AccessRecord {
    std::string remote;
    std::string method;
    std::string target;
    unsigned status = 0;
    std::uint64_t bytes = 0;
    double duration_ms = 0;
    std::string tenant;
    std::string user_agent;
};

class AccessLog {
public:
    explicit AccessLog(const std::string& path);  // empty: nowhere
    ~AccessLog();
    void write(const AccessRecord& record);
    void flush();

private:
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace ringfence::server
