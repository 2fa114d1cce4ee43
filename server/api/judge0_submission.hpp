// Judge0 CE 1.13.1 submissions: validating a create request into our stored
// form, turning it into a Job, mapping a JobResult to Judge0's status ids and
// fields, and rendering a submission with `fields` and `base64_encoded`.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "ringfence/judge.hpp"
#include "service/config.hpp"
#include "service/store.hpp"

namespace ringfence::server::judge0 {

// Every attribute `fields=*` yields, in Judge0's column order.
const std::vector<std::string>& all_fields();
const std::vector<std::string>& default_fields();
// "a,b" or "*" -> the names; unknown names give "invalid fields: [x, y]".
Result<std::vector<std::string>> parse_fields(const std::optional<std::string>& param);

const char* status_description(int id);
constexpr int kMaxStatusId = 14;

const LanguageInfo* find_language(const std::vector<LanguageInfo>& languages, int judge0_id);
std::string language_name(const LanguageInfo& language, int judge0_id);

struct Validation {
    nlohmann::json stored;  // set when valid
    nlohmann::json errors = nlohmann::json::object();  // Rails-style {"field": ["message"]}
    const LanguageInfo* language = nullptr;
    bool ok() const { return errors.empty(); }
};

// `settings` is config.judge0; `tenant` decides network and limit ceilings.
// The effective limits (after the profile's defaults) are filled in by
// `apply_effective_limits` once the job is normalized.
Validation validate(const nlohmann::json& body, bool base64, const nlohmann::json& settings,
                    const std::vector<LanguageInfo>& languages, const TenantConfig& tenant,
                    bool allow_private_callbacks);

Result<Job> to_job(const nlohmann::json& stored);
void apply_effective_limits(nlohmann::json& stored, const Job& normalized);
// Maps a normalizer complaint ("run_limits.memory_kib: ...") to Judge0's field name.
std::string field_for_job_error(const std::string& message);

// The stored result: status id, outputs (base64), message, time, memory, exit.
nlohmann::json outcome(const JobResult& result, const nlohmann::json& stored);

// One submission as Judge0 shows it. `error` is set (and the result empty)
// when base64 is off and an output is not UTF-8.
struct Rendered {
    nlohmann::json body;
    std::string error;
};
Rendered render(const JobRecord& record, const std::vector<std::string>& fields, bool base64,
                const std::vector<LanguageInfo>& languages);

// Decimal seconds the way Rails prints a BigDecimal: "0.002", "5.0".
std::string decimal_string(double seconds);

}  // namespace ringfence::server::judge0
