#include "normalize.hpp"

#include <algorithm>

#include "interactive.hpp"
#include "names.hpp"

namespace ringfence::judge {
namespace {

Error field_error(const std::string& path, const std::string& problem) { return input_error(path + ": " + problem); }

Result<const Language*> available_language(const LanguageLookup& find, const std::string& id, const std::string& path) {
    const Language* language = find(id);
    if (!language) return field_error(path, "unknown language \"" + id + "\"");
    if (!language->info.available)
        return field_error(path, "\"" + id + "\" is not available on this host: " + language->info.unavailable_reason);
    return language;
}

// Puts the main file first, named as the profile wants.
Result<void> resolve_main(std::vector<SourceFile>& sources, const std::string& source_file, const std::string& path) {
    auto named_main = std::find_if(sources.begin(), sources.end(),
                                   [&](const SourceFile& s) { return s.name == source_file; });
    if (named_main == sources.end()) {
        sources.front().name = source_file;
    } else {
        std::rotate(sources.begin(), named_main, named_main + 1);
    }
    for (std::size_t i = 1; i < sources.size(); ++i)
        if (sources[i].name.empty())
            return field_error(path + "[" + std::to_string(i) + "].name",
                               "required (\"" + source_file + "\" is the main file)");
    return {};
}

// Fills `limits` from the profile's defaults and checks them against its maxima.
Result<void> settle_limits(JobLimits& limits, const LimitRange& range, const std::string& path, const std::string& id) {
    auto one = [&](auto& value, const auto& def, const auto& max, const char* key) -> Result<void> {
        if (!value) value = def;
        if (*value > *max)
            return field_error(path + "." + key, std::to_string(*value) + " is above the maximum " +
                                                     std::to_string(*max) + " for " + id);
        return {};
    };
    const auto& d = range.defaults;
    const auto& m = range.max;
    for (auto result : {one(limits.cpu_time_ms, d.cpu_time_ms, m.cpu_time_ms, "cpu_time_ms"),
                        one(limits.wall_time_ms, d.wall_time_ms, m.wall_time_ms, "wall_time_ms"),
                        one(limits.memory_kib, d.memory_kib, m.memory_kib, "memory_kib"),
                        one(limits.processes, d.processes, m.processes, "processes"),
                        one(limits.output_bytes, d.output_bytes, m.output_bytes, "output_bytes"),
                        one(limits.file_size_bytes, d.file_size_bytes, m.file_size_bytes, "file_size_bytes")})
        if (!result) return result;
    return {};
}

Result<void> normalize_helper(HelperProgram& helper, const LanguageLookup& find, const std::string& path) {
    auto language = available_language(find, helper.language, path + ".language");
    if (!language) return std::move(language).error();
    return resolve_main(helper.sources, (*language)->profile.source_file, path + ".sources");
}

}  // namespace

Result<Job> normalize_job(Job job, const LanguageLookup& find) {
    auto found = available_language(find, job.language, "language");
    if (!found) return std::move(found).error();
    const Language& language = **found;
    const LanguageProfile& profile = language.profile;
    if (job.isolation != "process")
        return field_error("isolation", "\"" + job.isolation + "\" is not offered by this judge (only \"process\")");
    if (!job.compiler_flags.empty() && !profile.compile)
        return field_error("compiler_flags", "\"" + profile.id + "\" is not compiled");
    for (std::size_t i = 0; i < job.compiler_flags.size(); ++i) {
        const auto& flag = job.compiler_flags[i];
        if (std::find(profile.allowed_flags.begin(), profile.allowed_flags.end(), flag) == profile.allowed_flags.end()) {
            std::string allowed;
            for (const auto& a : profile.allowed_flags) allowed += (allowed.empty() ? "" : " ") + a;
            return field_error("compiler_flags[" + std::to_string(i) + "]",
                               "\"" + flag + "\" is not allowed for " + profile.id +
                                   (allowed.empty() ? " (no flags are)" : " (allowed: " + allowed + ")"));
        }
    }
    if (job.sources.empty()) return field_error("sources", "required");
    if (auto main = resolve_main(job.sources, profile.source_file, "sources"); !main) return main.error();
    std::vector<std::pair<std::string, std::string>> named;
    for (std::size_t i = 0; i < job.sources.size(); ++i)
        named.emplace_back(job.sources[i].name, "sources[" + std::to_string(i) + "]");
    for (std::size_t i = 0; i < job.files.size(); ++i)
        named.emplace_back(job.files[i].name, "files[" + std::to_string(i) + "]");
    if (std::string clash = find_name_clash(named); !clash.empty()) return input_error(clash);
    if (auto r = settle_limits(job.compile_limits, profile.compile_limits, "compile_limits", profile.id); !r)
        return r.error();
    if (auto r = settle_limits(job.run_limits, profile.run_limits, "run_limits", profile.id); !r) return r.error();
    if (job.network && !(language.run_security && language.run_security->network_allowed))
        return field_error("network", "not allowed for " + profile.id + " (its security profile forbids it)");
    if (job.tests.empty()) return field_error("tests", "must hold at least one test");
    if (job.compare.mode == CompareMode::checker && !job.checker)
        return field_error("checker", "required by compare mode \"checker\"");
    if (job.checker) {
        if (auto r = normalize_helper(*job.checker, find, "checker"); !r) return r.error();
    }
    if (job.interactor) {
        if (auto r = normalize_helper(*job.interactor, find, "interactor"); !r) return r.error();
    }
    return job;
}

Limits checker_limits(const Language& checker) {
    Limits limits = to_limits(checker.profile.run_limits.max);
    limits.processes = *checker.profile.run_limits.defaults.processes;
    limits.output_bytes = 1 << 20;
    return limits;
}

Limits interactor_limits(const Language& interactor, const Limits& submission) {
    Limits limits = to_limits(interactor.profile.run_limits.defaults);
    limits.wall_time_ms = submission.wall_time_ms + kInteractorWallMarginMs;
    limits.cpu_time_ms = limits.wall_time_ms;
    limits.output_bytes = 1 << 20;
    return limits;
}

}  // namespace ringfence::judge
