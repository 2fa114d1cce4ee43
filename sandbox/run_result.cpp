#include "ringfence/run_result.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace ringfence {
namespace {

constexpr std::array<std::pair<RunStatus, const char*>, 11> kStatusNames{{
    {RunStatus::ok, "ok"},
    {RunStatus::nonzero_exit, "nonzero_exit"},
    {RunStatus::signaled, "signaled"},
    {RunStatus::time_limit, "time_limit"},
    {RunStatus::wall_time_limit, "wall_time_limit"},
    {RunStatus::memory_limit, "memory_limit"},
    {RunStatus::output_limit, "output_limit"},
    {RunStatus::file_size_limit, "file_size_limit"},
    {RunStatus::process_limit, "process_limit"},
    {RunStatus::security_violation, "security_violation"},
    {RunStatus::setup_error, "setup_error"},
}};

}  // namespace

const char* to_string(RunStatus status) noexcept {
    for (const auto& [value, name] : kStatusNames)
        if (value == status) return name;
    return "setup_error";
}

std::optional<RunStatus> run_status_from_string(const std::string& text) noexcept {
    for (const auto& [value, name] : kStatusNames)
        if (text == name) return value;
    return std::nullopt;
}

std::string to_json(const RunResult& r, bool include_data) {
    nlohmann::json j;
    j["status"] = to_string(r.status);
    j["exit_code"] = r.exit_code;
    j["signal"] = r.signal;
    j["signal_name"] = r.signal_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.signal_name);
    j["cpu_time_ms"] = r.cpu_time_ms();
    j["wall_time_ms"] = r.wall_time_ms();
    j["memory_kib"] = r.memory_kib;
    j["violation"] = r.violation ? nlohmann::json(*r.violation) : nlohmann::json(nullptr);
    j["stdout_truncated"] = r.stdout_truncated;
    j["stderr_truncated"] = r.stderr_truncated;
    j["stdout_bytes"] = r.stdout_bytes;
    j["stderr_bytes"] = r.stderr_bytes;
    j["measured_by"] = r.measured_by;
    j["tier"] = r.tier;
    j["host_uid"] = r.host_uid;
    j["error"] = r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error);
    j["phases_us"] = {{"prepare", r.phases.prepare_us},
                      {"start", r.phases.start_us},
                      {"handover", r.phases.handover_us},
                      {"spawn", r.phases.spawn_us},
                      {"confine", r.phases.confine_us},
                      {"run", r.phases.run_us},
                      {"teardown", r.phases.teardown_us},
                      {"from_pool", r.phases.from_pool}};
    if (include_data) {
        // Bytes may be arbitrary; the JSON library refuses invalid UTF-8, so
        // replace bad sequences rather than fail.
        j["stdout"] = r.stdout_data;
        j["stderr"] = r.stderr_data;
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool write_result_json(const std::string& path, const std::string& json) {
    const std::string line = json + "\n";
    if (path == "-") return std::fwrite(line.data(), 1, line.size(), stdout) == line.size();
    std::ofstream out(path, std::ios::trunc);
    out << line;
    return static_cast<bool>(out);
}

}  // namespace ringfence
