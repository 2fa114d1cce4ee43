// Judge0 create requests -> our stored form and the Job it describes.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "judge0_submission.hpp"
#include "service/base64.hpp"
#include "service/callback_url.hpp"

namespace ringfence::server::judge0 {
namespace {

using nlohmann::json;

struct Checker {
    const json& body;
    json& errors;

    void add(const std::string& field, const std::string& message) { errors[field].push_back(message); }

    // Rails casts "5", 5, 5.0 alike; anything else "is not a number".
    std::optional<double> number(const std::string& field) {
        if (!body.contains(field) || body[field].is_null()) return std::nullopt;
        const json& v = body[field];
        if (v.is_number()) return v.get<double>();
        if (v.is_string()) {
            const std::string& s = v.get_ref<const std::string&>();
            char* end = nullptr;
            double d = std::strtod(s.c_str(), &end);
            if (!s.empty() && end && *end == '\0' && std::isfinite(d)) return d;
        }
        add(field, "is not a number");
        return std::nullopt;
    }
    std::optional<long long> integer(const std::string& field) {
        auto d = number(field);
        if (!d) return std::nullopt;
        if (std::fabs(*d) > 9e15) {
            add(field, "is out of range");
            return std::nullopt;
        }
        return static_cast<long long>(std::trunc(*d));  // Rails truncates 128000.7 to 128000
    }
    bool boolean(const std::string& field, bool fallback) {
        if (!body.contains(field) || body[field].is_null()) return fallback;
        const json& v = body[field];
        if (v.is_boolean()) return v.get<bool>();
        if (v.is_string()) {
            std::string s = v.get<std::string>();
            if (s == "true" || s == "1" || s == "t") return true;
            if (s == "false" || s == "0" || s == "f" || s.empty()) return false;
        }
        if (v.is_number_integer()) return v.get<long long>() != 0;
        add(field, "is not a boolean");
        return fallback;
    }
    std::optional<std::string> text(const std::string& field, bool base64) {
        if (!body.contains(field) || body[field].is_null()) return std::nullopt;
        const json& v = body[field];
        if (!v.is_string()) {
            add(field, "must be a string");
            return std::nullopt;
        }
        if (!base64) return v.get<std::string>();
        auto decoded = base64_decode_lenient(v.get<std::string>());
        if (!decoded) add(field, "is not valid base64");
        return decoded;
    }
    void range(const std::string& field, std::optional<double> v, double low, bool low_inclusive, double high,
               bool decimal) {
        if (!v) return;
        auto show = [&](double x) {
            if (decimal) return decimal_string(x);
            return std::to_string(static_cast<long long>(x));
        };
        if (low_inclusive ? *v < low : *v <= low)
            add(field, std::string("must be greater than ") + (low_inclusive ? "or equal to " : "") + show(low));
        else if (*v > high)
            add(field, "must be less than or equal to " + show(high));
    }
};

std::string strip_dangerous(const std::string& s) {
    std::string out;
    for (char c : s)
        if (std::string_view("$&;<>|`").find(c) == std::string_view::npos) out += c;
    return out;
}

std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

json b64_or_null(const std::optional<std::string>& bytes) {
    return bytes ? json(base64_encode(*bytes)) : json();
}

std::optional<std::string> decoded(const json& stored, const char* key) {
    if (!stored.contains(key) || stored[key].is_null()) return std::nullopt;
    return base64_decode_lenient(stored[key].get<std::string>());
}

}  // namespace

Validation validate(const json& body, bool base64, const json& settings, const std::vector<LanguageInfo>& languages,
                    const TenantConfig& tenant, bool allow_private_callbacks) {
    Validation v;
    if (!body.is_object()) {
        v.errors["base"].push_back("the request body must be a JSON object");
        return v;
    }
    Checker c{body, v.errors};
    json& s = v.stored;
    s = json::object();

    auto language_id = c.integer("language_id");
    if (!language_id && !v.errors.contains("language_id")) c.add("language_id", "can't be blank");
    if (language_id) {
        v.language = find_language(languages, static_cast<int>(*language_id));
        if (!v.language || !v.language->available)
            c.add("language_id", "language with id " + std::to_string(*language_id) + " doesn't exist");
        s["language_id"] = *language_id;
    }
    auto source = c.text("source_code", base64);
    if ((!source || source->empty()) && !v.errors.contains("source_code")) c.add("source_code", "can't be blank");
    s["source_code"] = b64_or_null(source);
    s["stdin"] = b64_or_null(c.text("stdin", base64));
    s["expected_output"] = b64_or_null(c.text("expected_output", base64));

    for (const char* field : {"compiler_options", "command_line_arguments"}) {
        s[field] = nullptr;
        if (!body.contains(field) || body[field].is_null()) continue;
        if (!body[field].is_string()) {
            c.add(field, "must be a string");
            continue;
        }
        std::string value = body[field].get<std::string>();
        if (value.size() > 512) c.add(field, "is too long (maximum is 512 characters)");
        s[field] = value;
    }
    if (!s["compiler_options"].is_null() && !s["compiler_options"].get<std::string>().empty()) {
        if (!settings["enable_compiler_options"].get<bool>()) c.add("compiler_options", "setting compiler options is not allowed");
        else if (v.language && !v.language->compiled)
            c.add("compiler_options", "setting compiler options is only allowed for compiled languages");
        else if (v.language && !settings["allowed_languages_for_compile_options"].empty()) {
            bool allowed = false;
            for (const auto& prefix : settings["allowed_languages_for_compile_options"])
                if (prefix.is_string() && v.language->name.rfind(prefix.get<std::string>(), 0) == 0) allowed = true;
            if (!allowed) c.add("compiler_options", "setting compiler options is not allowed for this language");
        }
    }
    if (!s["command_line_arguments"].is_null() && !s["command_line_arguments"].get<std::string>().empty() &&
        !settings["enable_command_line_arguments"].get<bool>())
        c.add("command_line_arguments", "setting command line arguments is not allowed");

    auto cpu = c.number("cpu_time_limit");
    auto extra = c.number("cpu_extra_time");
    auto wall = c.number("wall_time_limit");
    auto memory = c.integer("memory_limit");
    auto stack = c.integer("stack_limit");
    auto processes = c.integer("max_processes_and_or_threads");
    auto file_size = c.integer("max_file_size");
    auto runs = c.integer("number_of_runs");
    auto opt = [](auto o) { return o ? std::optional<double>(static_cast<double>(*o)) : std::nullopt; };
    c.range("cpu_time_limit", cpu, 0, true, settings["max_cpu_time_limit"].get<double>(), true);
    c.range("cpu_extra_time", extra, 0, true, settings["max_cpu_extra_time"].get<double>(), true);
    c.range("wall_time_limit", wall, 1, true, settings["max_wall_time_limit"].get<double>(), true);
    c.range("memory_limit", opt(memory), 2048, true, settings["max_memory_limit"].get<double>(), false);
    c.range("stack_limit", opt(stack), 0, true, settings["max_stack_limit"].get<double>(), false);
    c.range("max_processes_and_or_threads", opt(processes), 0, false,
            settings["max_max_processes_and_or_threads"].get<double>(), false);
    c.range("max_file_size", opt(file_size), 0, true, settings["max_max_file_size"].get<double>(), false);
    c.range("number_of_runs", opt(runs), 0, false, settings["max_number_of_runs"].get<double>(), false);
    if (cpu && *cpu == 0) c.add("cpu_time_limit", "must be greater than 0.0 here (a run needs some CPU time)");
    auto ceiling = [&](const char* field, std::optional<double> asked, std::optional<std::uint64_t> max, double scale) {
        if (asked && max && *asked * scale > static_cast<double>(*max))
            c.add(field, "exceeds this tenant's ceiling");
    };
    ceiling("cpu_time_limit", cpu, tenant.ceilings.cpu_time_ms, 1000);
    ceiling("wall_time_limit", wall, tenant.ceilings.wall_time_ms, 1000);
    ceiling("memory_limit", opt(memory), tenant.ceilings.memory_kib, 1);
    ceiling("max_processes_and_or_threads", opt(processes),
            tenant.ceilings.processes ? std::optional<std::uint64_t>(*tenant.ceilings.processes) : std::nullopt, 1);

    json given = json::array();
    auto keep = [&](const char* field, auto value, json fallback) {
        if (value) given.push_back(field);
        s[field] = value ? json(*value) : fallback;
    };
    keep("cpu_time_limit", cpu, settings["cpu_time_limit"]);
    keep("cpu_extra_time", extra, settings["cpu_extra_time"]);
    keep("wall_time_limit", wall, settings["wall_time_limit"]);
    keep("memory_limit", memory, settings["memory_limit"]);
    keep("stack_limit", stack, settings["stack_limit"]);
    keep("max_processes_and_or_threads", processes, settings["max_processes_and_or_threads"]);
    keep("max_file_size", file_size, settings["max_file_size"]);
    keep("number_of_runs", runs, settings["number_of_runs"]);
    s["limits_given"] = given;

    for (const char* field : {"enable_per_process_and_thread_time_limit", "enable_per_process_and_thread_memory_limit"}) {
        bool on = c.boolean(field, settings[field].get<bool>());
        if (on && !settings[std::string("allow_") + field].get<bool>()) c.add(field, "this option cannot be enabled");
        s[field] = on;
    }
    s["redirect_stderr_to_stdout"] = c.boolean("redirect_stderr_to_stdout", settings["redirect_stderr_to_stdout"].get<bool>());
    bool network = c.boolean("enable_network", settings["enable_network"].get<bool>());
    if (network && (!settings["allow_enable_network"].get<bool>() || !tenant.network))
        c.add("enable_network", "enabling network is not allowed");
    s["enable_network"] = network;

    s["additional_files"] = nullptr;
    if (body.contains("additional_files") && !body["additional_files"].is_null())
        c.add("additional_files", "additional files are not supported by this server");
    s["callback_url"] = nullptr;
    if (body.contains("callback_url") && !body["callback_url"].is_null()) {
        if (!settings["enable_callbacks"].get<bool>()) c.add("callback_url", "callbacks are not allowed");
        else if (!body["callback_url"].is_string()) c.add("callback_url", "must be a string");
        else if (auto url = validate_callback_url(body["callback_url"].get<std::string>(), allow_private_callbacks); !url)
            c.add("callback_url", url.error().message.substr(url.error().message.find(": ") + 2));
        else s["callback_url"] = body["callback_url"];
    }
    if (v.language) s["profile"] = v.language->id;
    if (!v.ok()) s = nullptr;
    return v;
}

Result<Job> to_job(const json& stored) {
    Job job;
    job.language = stored.value("profile", "");
    auto source = decoded(stored, "source_code");
    if (!source) return input_error("source_code: missing");
    job.sources.push_back({"", *source});
    auto given = [&](const char* field) {
        const json& g = stored["limits_given"];
        return std::find(g.begin(), g.end(), field) != g.end();
    };
    if (given("cpu_time_limit"))
        job.run_limits.cpu_time_ms = static_cast<std::uint64_t>(std::llround(stored["cpu_time_limit"].get<double>() * 1000));
    if (given("wall_time_limit"))
        job.run_limits.wall_time_ms = static_cast<std::uint64_t>(std::llround(stored["wall_time_limit"].get<double>() * 1000));
    if (given("memory_limit")) job.run_limits.memory_kib = stored["memory_limit"].get<std::uint64_t>();
    if (given("max_processes_and_or_threads"))
        job.run_limits.processes = stored["max_processes_and_or_threads"].get<std::uint32_t>();
    if (given("max_file_size") && stored["max_file_size"].get<std::uint64_t>() > 0) {
        job.run_limits.file_size_bytes = stored["max_file_size"].get<std::uint64_t>() * 1024;
        job.run_limits.output_bytes = job.run_limits.file_size_bytes;
    }
    if (stored["compiler_options"].is_string())
        job.compiler_flags = split_words(strip_dangerous(stored["compiler_options"].get<std::string>()));
    if (stored["command_line_arguments"].is_string())
        job.args = split_words(strip_dangerous(stored["command_line_arguments"].get<std::string>()));
    TestCase test;
    test.stdin_data = decoded(stored, "stdin").value_or("");
    test.expected_output = decoded(stored, "expected_output");
    int runs = stored.value("number_of_runs", 1);
    for (int i = 0; i < std::max(1, runs); ++i) job.tests.push_back(test);
    job.compare.mode = CompareMode::lines;  // Judge0's rule: trailing whitespace and trailing newlines ignored
    job.stop_on_first_failure = true;
    job.network = stored.value("enable_network", false);
    return job;
}

void apply_effective_limits(json& stored, const Job& n) {
    if (n.run_limits.cpu_time_ms) stored["cpu_time_limit"] = static_cast<double>(*n.run_limits.cpu_time_ms) / 1000.0;
    if (n.run_limits.wall_time_ms) stored["wall_time_limit"] = static_cast<double>(*n.run_limits.wall_time_ms) / 1000.0;
    if (n.run_limits.memory_kib) stored["memory_limit"] = *n.run_limits.memory_kib;
    if (n.run_limits.processes) stored["max_processes_and_or_threads"] = *n.run_limits.processes;
    if (n.run_limits.file_size_bytes) stored["max_file_size"] = *n.run_limits.file_size_bytes / 1024;
}

std::string field_for_job_error(const std::string& message) {
    static const std::pair<const char*, const char*> kMap[] = {
        {"run_limits.cpu_time_ms", "cpu_time_limit"},  {"run_limits.wall_time_ms", "wall_time_limit"},
        {"run_limits.memory_kib", "memory_limit"},     {"run_limits.processes", "max_processes_and_or_threads"},
        {"run_limits.file_size_bytes", "max_file_size"}, {"run_limits.output_bytes", "max_file_size"},
        {"compiler_flags", "compiler_options"},        {"args", "command_line_arguments"},
        {"sources", "source_code"},                    {"tests", "stdin"},
        {"language", "language_id"},                   {"network", "enable_network"}};
    for (const auto& [prefix, field] : kMap)
        if (message.rfind(prefix, 0) == 0) return field;
    return "base";
}

}  // namespace ringfence::server::judge0
