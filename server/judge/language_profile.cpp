#include "language_profile.hpp"

#include <regex>

#include "job_caps.hpp"
#include "json_fields.hpp"
#include "names.hpp"

namespace ringfence::judge {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxItems = 256;
constexpr std::size_t kMaxText = 4096;
constexpr std::size_t kMaxVersionBytes = 100;

std::vector<std::string> required_command(Fields& f, const char* key) {
    auto command = f.string_array(key, kMaxItems, kMaxText);
    if (!command || command->empty()) fail_at(f.path_of(key), "required: a non-empty array of strings");
    return *command;
}

void check_id(const std::string& id, const std::string& path) {
    if (id.empty() || id.size() > kMaxLanguageIdBytes) fail_at(path, "must be 1 to 64 characters");
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
                  c == '.' || c == '-';
        if (!ok) fail_at(path, "may hold only [a-z0-9_+.-]");
    }
}

SandboxNeeds parse_sandbox(const json& value, const std::string& path) {
    Fields f(value, path);
    f.allow_comment_keys();
    SandboxNeeds needs;
    if (auto profile = f.string("profile", 128)) needs.profile = *profile;
    if (const json* mounts = f.raw("extra_mounts")) {
        const std::string mounts_path = f.path_of("extra_mounts");
        if (!mounts->is_array()) fail_at(mounts_path, "expected an array");
        for (std::size_t i = 0; i < mounts->size(); ++i) {
            Fields m((*mounts)[i], index_path(mounts_path, i));
            MountEntry entry;
            auto source = m.string("source", kMaxText);
            if (!source || source->empty() || (*source)[0] != '/')
                fail_at(m.path_of("source"), "required: an absolute host path");
            entry.source = *source;
            entry.target = m.string("target", kMaxText).value_or(entry.source);
            if (entry.target.empty() || entry.target[0] != '/')
                fail_at(m.path_of("target"), "must be an absolute path inside the sandbox");
            entry.optional = m.boolean("optional").value_or(false);
            m.finish();
            needs.extra_mounts.push_back(std::move(entry));
        }
    }
    if (auto groups = f.string_array("extra_syscall_groups", kMaxItems, 128)) needs.extra_syscall_groups = *groups;
    if (auto calls = f.string_array("extra_syscalls", kMaxItems, 128)) needs.extra_syscalls = *calls;
    f.finish();
    return needs;
}

JobLimits parse_limit_values(const json* value, const std::string& path) {
    JobLimits limits;
    if (!value) return limits;
    Fields f(*value, path);
    f.allow_comment_keys();
    limits.cpu_time_ms = f.unsigned_integer("cpu_time_ms", 1, kMaxTimeMs);
    limits.wall_time_ms = f.unsigned_integer("wall_time_ms", 1, kMaxTimeMs);
    limits.memory_kib = f.unsigned_integer("memory_kib", kMinMemoryKib, kMaxMemoryKib);
    if (auto p = f.unsigned_integer("processes", 1, kMaxProcesses)) limits.processes = static_cast<std::uint32_t>(*p);
    limits.output_bytes = f.unsigned_integer("output_bytes", 1, kMaxOutputBytes);
    limits.file_size_bytes = f.unsigned_integer("file_size_bytes", 0, kMaxOutputBytes);
    f.finish();
    return limits;
}

template <class T>
void settle(std::optional<T>& def, std::optional<T>& max, T fallback, const std::string& path,
            const char* key) {
    if (!def) def = max ? std::min(*max, fallback) : fallback;
    if (!max) max = def;
    if (*def > *max) fail_at(path + ".default." + key, "is above the maximum " + std::to_string(*max));
}

// Fields a profile leaves out take the launcher's defaults; a missing maximum
// equals the default (the job cannot raise it).
LimitRange parse_limit_range(const json* value, const std::string& path) {
    LimitRange range;
    if (value) {
        Fields f(*value, path);
        f.allow_comment_keys();
        range.defaults = parse_limit_values(f.raw("default"), f.path_of("default"));
        range.max = parse_limit_values(f.raw("max"), f.path_of("max"));
        f.finish();
    }
    const Limits base;
    auto& d = range.defaults;
    auto& m = range.max;
    settle(d.cpu_time_ms, m.cpu_time_ms, base.cpu_time_ms, path, "cpu_time_ms");
    settle(d.wall_time_ms, m.wall_time_ms, base.wall_time_ms, path, "wall_time_ms");
    settle(d.memory_kib, m.memory_kib, base.memory_kib, path, "memory_kib");
    settle(d.processes, m.processes, base.processes, path, "processes");
    settle(d.output_bytes, m.output_bytes, base.output_bytes, path, "output_bytes");
    settle(d.file_size_bytes, m.file_size_bytes, base.file_size_bytes, path, "file_size_bytes");
    return range;
}

void parse_judge0(const json* value, const std::string& path, LanguageProfile& out) {
    if (!value) return;
    if (!value->is_array()) fail_at(path, "expected an array of {\"id\", \"name\"}");
    for (std::size_t i = 0; i < value->size(); ++i) {
        Fields f((*value)[i], index_path(path, i));
        auto id = f.unsigned_integer("id", 1, 1'000'000);
        if (!id) fail_at(f.path_of("id"), "required");
        out.judge0.emplace_back(static_cast<int>(*id), f.string("name", kMaxText).value_or(""));
        f.finish();
    }
}

LanguageProfile parse(const json& document, const std::string& expected_id) {
    Fields f(document, "");
    f.allow_comment_keys();
    LanguageProfile p;
    auto id = f.string("id", kMaxLanguageIdBytes + 1);
    if (!id) fail_at("id", "required");
    check_id(*id, "id");
    if (!expected_id.empty() && *id != expected_id)
        fail_at("id", "\"" + *id + "\" differs from the file name \"" + expected_id + ".json\"");
    p.id = *id;
    p.name = f.string("name", kMaxText).value_or(p.id);
    p.version_command = required_command(f, "version_command");
    p.version_regex = f.string("version_regex", kMaxText).value_or("([0-9]+(\\.[0-9]+)+)");
    try {
        std::regex check(p.version_regex);
        if (check.mark_count() < 1) fail_at("version_regex", "needs a capture group (the version)");
    } catch (const std::regex_error& e) {
        fail_at("version_regex", std::string("not a valid regular expression: ") + e.what());
    }
    p.packages = f.string_array("packages", kMaxItems, kMaxText).value_or(std::vector<std::string>{});
    p.core = f.boolean("core").value_or(false);
    auto source_file = f.string("source_file", kMaxPathBytes);
    if (!source_file) fail_at("source_file", "required");
    if (auto problem = check_relative_name(*source_file); !problem.empty()) fail_at("source_file", problem);
    p.source_file = *source_file;
    if (f.raw("compile")) p.compile = required_command(f, "compile");
    p.default_flags = f.string_array("default_flags", kMaxItems, kMaxText).value_or(std::vector<std::string>{});
    p.allowed_flags = f.string_array("allowed_flags", kMaxItems, kMaxText).value_or(std::vector<std::string>{});
    p.run = required_command(f, "run");
    p.artifacts = f.string_array("artifacts", kMaxItems, kMaxText).value_or(std::vector<std::string>{});
    if (p.compile && p.artifacts.empty()) fail_at("artifacts", "required for a compiled language");
    for (std::size_t i = 0; i < p.artifacts.size(); ++i) {
        const auto& a = p.artifacts[i];
        bool pattern = a.find_first_of("*?[") != std::string::npos;
        if (pattern ? a.find('/') != std::string::npos : !check_relative_name(a).empty())
            fail_at(index_path("artifacts", i), "a relative path, or a pattern without '/'");
    }
    if (const json* env = f.raw("env")) {
        if (!env->is_object()) fail_at("env", "expected an object of NAME: value strings");
        for (auto it = env->begin(); it != env->end(); ++it) {
            const std::string path = child_path("env", it.key());
            if (!it->is_string()) fail_at(path, "expected a string");
            if (it.key().empty() || it.key().find('=') != std::string::npos) fail_at(path, "bad variable name");
            require_no_nul(it.key(), path);
            require_no_nul(it->get<std::string>(), path);
            p.env.emplace_back(it.key(), it->get<std::string>());
        }
    }
    const json* sandbox = f.raw("sandbox");
    if (sandbox) p.sandbox = parse_sandbox(*sandbox, "sandbox");
    if (const json* cs = f.raw("compile_sandbox")) p.compile_sandbox = parse_sandbox(*cs, "compile_sandbox");
    if (auto memory = f.string("memory", 32); memory && *memory != "cgroup")
        fail_at("memory", "only \"cgroup\" is supported (never RLIMIT_AS)");
    const json* limits = f.raw("limits");
    if (limits) {
        Fields l(*limits, "limits");
        l.allow_comment_keys();
        p.compile_limits = parse_limit_range(l.raw("compile"), "limits.compile");
        p.run_limits = parse_limit_range(l.raw("run"), "limits.run");
        l.finish();
    } else {
        p.compile_limits = parse_limit_range(nullptr, "limits.compile");
        p.run_limits = parse_limit_range(nullptr, "limits.run");
    }
    parse_judge0(f.raw("judge0"), "judge0", p);
    if (const json* piston = f.raw("piston")) {
        Fields pf(*piston, "piston");
        p.piston_language = pf.string("language", kMaxText).value_or("");
        p.piston_aliases = pf.string_array("aliases", kMaxItems, kMaxText).value_or(std::vector<std::string>{});
        pf.finish();
    }
    if (const json* smoke = f.raw("smoke")) {
        Fields s(*smoke, "smoke");
        SmokeTest test;
        auto source = s.string("source", kMaxPathBytes);
        if (!source) fail_at("smoke.source", "required");
        test.source = *source;
        test.stdin_data = s.string("stdin", 1 << 20).value_or("");
        test.expected_stdout = s.string("expected_stdout", 1 << 20).value_or("");
        s.finish();
        p.smoke = std::move(test);
    }
    f.finish();
    return p;
}

}  // namespace

Result<LanguageProfile> parse_language_profile(const std::string& json_text,
                                               const std::string& expected_id) {
    const std::string where = "languages/" + expected_id + ".json: ";
    json document;
    try {
        document = json::parse(json_text);
    } catch (const json::exception& e) {  // a syntax error, or a number out of range
        return input_error(where + "not valid JSON: " + e.what());
    }
    try {
        return parse(document, expected_id);
    } catch (const FieldError& e) {
        return input_error(where + e.what());
    }
}

Limits to_limits(const JobLimits& limits) {
    Limits out;
    if (limits.cpu_time_ms) out.cpu_time_ms = *limits.cpu_time_ms;
    if (limits.wall_time_ms) out.wall_time_ms = *limits.wall_time_ms;
    if (limits.memory_kib) out.memory_kib = *limits.memory_kib;
    if (limits.processes) out.processes = *limits.processes;
    if (limits.output_bytes) out.output_bytes = *limits.output_bytes;
    if (limits.file_size_bytes) out.file_size_bytes = *limits.file_size_bytes;
    return out;
}

std::vector<std::string> expand_command(const std::vector<std::string>& command,
                                        const std::vector<std::string>& flags,
                                        std::uint64_t memory_kib) {
    auto replace_all = [](std::string text, const std::string& from, const std::string& to) {
        for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
            text.replace(at, from.size(), to);
        return text;
    };
    std::vector<std::string> out;
    for (const auto& arg : command) {
        if (arg == "{flags}") {
            out.insert(out.end(), flags.begin(), flags.end());
            continue;
        }
        std::string expanded = replace_all(arg, "{memory_mib}", std::to_string(memory_kib / 1024));
        out.push_back(replace_all(std::move(expanded), "{memory_kib}", std::to_string(memory_kib)));
    }
    return out;
}

std::string first_output_line(const std::string& text) {
    std::size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) return {};
    std::size_t end = text.find_first_of("\r\n", start);
    std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
    return line;
}

std::string extract_version(const std::string& output, const std::string& regex) {
    std::string version;
    try {
        std::smatch match;
        std::regex re(regex);
        if (std::regex_search(output, match, re) && match.size() > 1) version = match[1].str();
    } catch (const std::regex_error&) {
        // parse_language_profile already rejected bad expressions; fall through.
    }
    if (version.empty()) version = first_output_line(output);
    if (version.size() > kMaxVersionBytes) version.resize(kMaxVersionBytes);
    return version;
}

}  // namespace ringfence::judge
