#include "languages.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

namespace ringfence::judge {
namespace {



std::string missing_mount(const SandboxNeeds& needs) {
    for (const auto& mount : needs.extra_mounts) {
        std::error_code ec;
        if (!mount.optional && !std::filesystem::exists(mount.source, ec)) return mount.source;
    }
    return {};
}

struct ProfileSources {
    const ProfileStore& store;
    Result<std::string> groups_json;
};

Result<std::shared_ptr<const SecurityProfile>> build_security(ProfileSources& sources, const LanguageProfile& lang,
                                                              const SandboxNeeds& needs, const char* step) {
    auto base = sources.store.security(needs.profile);
    if (!base)
        return input_error(std::string(step) + " security profile \"" + needs.profile +
                           "\": " + base.error().describe());
    std::vector<std::string> extra;
    if (!needs.extra_syscall_groups.empty()) {
        if (!sources.groups_json) return input_error("seccomp/groups.json: " + sources.groups_json.error().describe());
        auto expanded = expand_syscall_groups(*sources.groups_json, needs.extra_syscall_groups);
        if (!expanded) return std::move(expanded).error();
        extra = std::move(*expanded);
    }
    return std::shared_ptr<const SecurityProfile>(std::make_shared<SecurityProfile>(
        merge_security(**base, needs, extra, (*base)->name + "+" + lang.id + "-" + step)));
}

void fill_info(Language& language) {
    const auto& p = language.profile;
    auto& info = language.info;
    info.id = p.id;
    info.name = p.name;
    info.compiled = p.compile.has_value();
    info.source_file = p.source_file;
    for (const auto& [id, name] : p.judge0) {
        info.judge0_ids.push_back(id);
        info.judge0_names.push_back(judge0_name_for_profile(name, p));
    }
    info.piston_language = p.piston_language;
    info.piston_aliases = p.piston_aliases;
}

std::unique_ptr<Language> unavailable(const std::string& id, std::string reason) {
    auto language = std::make_unique<Language>();
    language->profile.id = id;
    language->info.id = id;
    language->info.name = id;
    language->info.available = false;
    language->info.unavailable_reason = std::move(reason);
    return language;
}

// Prepares one language up to (not including) the version probe.
std::unique_ptr<Language> prepare(ProfileSources& sources, const std::string& id, const std::string& path) {
    auto text = sources.store.read_text(path);
    if (!text) return unavailable(id, "cannot read " + path + ": " + text.error().describe());
    auto parsed = parse_language_profile(*text, id);
    if (!parsed) return unavailable(id, "invalid profile: " + parsed.error().message);
    auto language = std::make_unique<Language>();
    language->profile = std::move(*parsed);
    fill_info(*language);
    const auto& p = language->profile;
    auto run_security = build_security(sources, p, p.sandbox, "run");
    if (!run_security) {
        language->info.unavailable_reason = "invalid profile: " + run_security.error().message;
        return language;
    }
    language->run_security = *run_security;
    language->compile_security = language->run_security;
    if (p.compile_sandbox) {
        auto compile_security = build_security(sources, p, *p.compile_sandbox, "compile");
        if (!compile_security) {
            language->info.unavailable_reason = "invalid profile: " + compile_security.error().message;
            return language;
        }
        language->compile_security = *compile_security;
    }
    std::string missing = missing_mount(p.sandbox);
    if (missing.empty() && p.compile_sandbox) missing = missing_mount(*p.compile_sandbox);
    if (!missing.empty()) {
        std::string packages;
        for (const auto& pkg : p.packages) packages += (packages.empty() ? "" : " ") + pkg;
        language->info.unavailable_reason =
            "not installed: " + missing + " is missing" + (packages.empty() ? "" : " (Debian packages: " + packages + ")");
    }
    return language;
}

RunSpec probe_spec(const Language& language) {
    const auto& p = language.profile;
    RunSpec spec;
    spec.argv = p.version_command;
    for (const auto& [name, value] : p.env) spec.env.push_back(name + "=" + value);
    spec.limits = to_limits(p.compile_limits.defaults);
    spec.limits.cpu_time_ms = std::min<std::uint64_t>(spec.limits.cpu_time_ms, 10'000);
    spec.limits.wall_time_ms = std::min<std::uint64_t>(spec.limits.wall_time_ms, 20'000);
    spec.limits.output_bytes = 64 * 1024;
    spec.profile = language.compile_security;
    return spec;
}

void probe(Language& language, Launcher& launcher, const LanguageLoadOptions& options) {
    RunSpec spec = probe_spec(language);
    RunResult result = launcher.run(spec);
    if (options.on_probe) options.on_probe(language, spec.limits, result);
    std::string output = result.stdout_data + result.stderr_data;
    auto& info = language.info;
    if (result.status != RunStatus::ok) {
        std::string why = result.status == RunStatus::setup_error
                              ? result.error
                              : std::string(to_string(result.status)) +
                                    (result.status == RunStatus::nonzero_exit ? " " + std::to_string(result.exit_code)
                                     : result.violation                      ? " " + *result.violation
                                                                             : std::string());
        std::string line = first_output_line(output);
        info.unavailable_reason = "version command failed (" + why + ")" + (line.empty() ? "" : ": " + line);
        return;
    }
    info.available = true;
    info.version = extract_version(output, language.profile.version_regex);
    if (!info.version.empty()) info.name = language.profile.name + " " + info.version;
}

}  // namespace

Result<std::vector<std::unique_ptr<Language>>> load_languages(const ProfileStore& store, Launcher& launcher,
                                                              const LanguageLoadOptions& options) {
    ProfileSources sources{store, store.read_text("seccomp/groups.json")};
    std::map<std::string, std::string> files;  // id -> relative path
    for (const auto& entry : store.list("languages")) {
        std::filesystem::path path(entry);
        if (path.extension() != ".json") continue;
        std::string relative = entry.find('/') == std::string::npos ? "languages/" + entry : entry;
        std::string id = path.stem().string();
        if (!options.only.empty() && std::find(options.only.begin(), options.only.end(), id) == options.only.end())
            continue;
        files.emplace(id, relative);
    }
    std::vector<std::unique_ptr<Language>> languages;
    for (const auto& [id, path] : files) languages.push_back(prepare(sources, id, path));

    // Probe toolchains in parallel: a JVM or GHC takes a while to print its version.
    std::vector<Language*> to_probe;
    for (auto& language : languages)
        if (language->run_security && language->info.unavailable_reason.empty()) to_probe.push_back(language.get());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < to_probe.size();) probe(*to_probe[i], launcher, options);
    };
    std::vector<std::thread> threads;
    unsigned count = std::max(1u, std::min<unsigned>(options.concurrency, static_cast<unsigned>(to_probe.size())));
    for (unsigned t = 1; t < count; ++t) threads.emplace_back(worker);
    worker();
    for (auto& thread : threads) thread.join();
    return languages;
}

std::string judge0_name_for_profile(const std::string& judge0_name, const LanguageProfile& profile) {
    auto lower = [](std::string text) {
        std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
        return text;
    };
    auto trim = [](std::string text) {
        text.erase(0, text.find_first_not_of(' '));
        text.erase(text.find_last_not_of(' ') + 1);
        return text;
    };
    const auto open = judge0_name.find('('), close = judge0_name.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return judge0_name;
    const std::string inside = judge0_name.substr(open + 1, close - open - 1);
    const auto version_at = inside.find_last_of(' ');
    if (version_at == std::string::npos || !std::isdigit(static_cast<unsigned char>(inside[version_at + 1])))
        return judge0_name;  // "Go (1.13.5)": no toolchain named
    const std::string toolchain = trim(inside.substr(0, version_at));
    std::string ours_known = lower(profile.name);
    for (const auto& arg : profile.version_command) ours_known += " " + lower(arg);
    if (ours_known.find(lower(toolchain)) != std::string::npos) return judge0_name;
    // Ours: the profile name's parenthetical, up to a comma ("D (GDC)" -> "GDC").
    const auto our_open = profile.name.find('('), our_close = profile.name.find_first_of(",)", our_open);
    if (our_open == std::string::npos || our_close == std::string::npos) return judge0_name;
    const std::string ours = trim(profile.name.substr(our_open + 1, our_close - our_open - 1));
    if (ours.empty()) return judge0_name;
    return judge0_name.substr(0, open + 1) + ours + inside.substr(version_at) + judge0_name.substr(close);
}

}  // namespace ringfence::judge
