// Verdict names and the JobResult JSON (JOB_SCHEMA.md, "Result").
#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "ringfence/judge.hpp"

namespace ringfence {
namespace {

constexpr std::array<std::pair<Verdict, const char*>, 11> kVerdictNames{{
    {Verdict::accepted, "accepted"},
    {Verdict::wrong_answer, "wrong_answer"},
    {Verdict::presentation_error, "presentation_error"},
    {Verdict::time_limit_exceeded, "time_limit_exceeded"},
    {Verdict::memory_limit_exceeded, "memory_limit_exceeded"},
    {Verdict::output_limit_exceeded, "output_limit_exceeded"},
    {Verdict::runtime_error, "runtime_error"},
    {Verdict::compilation_error, "compilation_error"},
    {Verdict::security_violation, "security_violation"},
    {Verdict::internal_error, "internal_error"},
    {Verdict::skipped, "skipped"},
}};

nlohmann::json text_or_null(const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace

const char* to_string(Verdict verdict) noexcept {
    for (const auto& [value, name] : kVerdictNames)
        if (value == verdict) return name;
    return "internal_error";
}

std::optional<Verdict> verdict_from_string(const std::string& text) noexcept {
    for (const auto& [value, name] : kVerdictNames)
        if (text == name) return value;
    return std::nullopt;
}

std::string to_json(const JobResult& result) {
    using nlohmann::json;
    json j;
    j["verdict"] = to_string(result.verdict);
    j["message"] = result.message;
    j["language_version"] = result.language_version;
    j["tier"] = result.tier;
    j["compile"] = result.compile ? json::parse(to_json(*result.compile, false)) : json(nullptr);
    j["compile_output"] = result.compile_output;
    j["internal_error"] = text_or_null(result.internal_error);
    j["max_cpu_time_ms"] = result.max_cpu_time_us / 1000;
    j["max_wall_time_ms"] = result.max_wall_time_us / 1000;
    j["max_memory_kib"] = result.max_memory_kib;
    json tests = json::array();
    for (const auto& test : result.tests) {
        json t;
        t["index"] = test.index;
        t["verdict"] = to_string(test.verdict);
        t["time_limit_kind"] = text_or_null(test.time_limit_kind);
        t["message"] = test.message;
        t["checker_message"] = text_or_null(test.checker_message);
        t["run"] = test.verdict == Verdict::skipped ? json(nullptr)
                                                    : json::parse(to_json(test.run, true));
        tests.push_back(std::move(t));
    }
    j["tests"] = std::move(tests);
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ringfence
