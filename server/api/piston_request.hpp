// Piston v2: runtimes (language, semver version, aliases), /execute requests
// validated with Piston's messages, and results in Piston's stage shape.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ringfence/judge.hpp"

namespace ringfence::server::piston {

struct Runtime {
    std::string language;
    std::string version;  // semver, from the toolchain's real version
    std::vector<std::string> aliases;
    const LanguageInfo* info = nullptr;
};

std::vector<Runtime> runtimes(const std::vector<LanguageInfo>& languages);
// "3.11" -> "3.11.0", "17.0.9+9" -> "17.0.9", "" -> "0.0.0".
std::string semver(const std::string& version);
// "*", "3", "3.x", "3.11.2", "^3.10", "~3.11", ">=3.0.0", "<4" ...
bool version_matches(const std::string& selector, const std::string& version);
const Runtime* resolve(const std::vector<Runtime>& runtimes, const std::string& language, const std::string& selector);

struct Parsed {
    nlohmann::json stored;  // set when valid
    std::string error;      // Piston's message for a 400
    const Runtime* runtime = nullptr;
};
// `settings` is config.piston. `interactive`: the WebSocket init message (stdin ignored).
Parsed validate(const nlohmann::json& body, const std::vector<Runtime>& runtimes, const nlohmann::json& settings,
                bool interactive = false);
Result<Job> to_job(const nlohmann::json& stored);

nlohmann::json stage(const RunResult& run, std::size_t output_max_size);
// {language, version, run, compile?}
nlohmann::json outcome(const JobResult& result, const nlohmann::json& stored);

}  // namespace ringfence::server::piston
