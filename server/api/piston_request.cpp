#include "piston_request.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "service/base64.hpp"

namespace ringfence::server::piston {
namespace {

using nlohmann::json;

std::vector<long> parts(const std::string& v) {
    std::vector<long> out;
    std::string digits;
    for (char c : v) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            digits += c;
        } else if (c == '.') {
            out.push_back(digits.empty() ? 0 : std::stol(digits.substr(0, 9)));
            digits.clear();
        } else {
            break;
        }
    }
    if (!digits.empty()) out.push_back(std::stol(digits.substr(0, 9)));
    return out;
}

int compare(const std::vector<long>& a, const std::vector<long>& b) {
    for (std::size_t i = 0; i < 3; ++i) {
        long x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

std::optional<std::string> decode_hex(const std::string& text) {
    if (text.size() % 2) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        auto h = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        };
        int hi = h(text[i]), lo = h(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

std::string safe_name_problem(const std::string& name) {
    if (name.empty()) return "is empty";
    if (name.front() == '/') return "must be a relative path";
    std::istringstream in(name);
    std::string part;
    while (std::getline(in, part, '/'))
        if (part == "..") return "escapes the submission directory";
    return "";
}

std::string piston_status(const RunResult& r) {
    switch (r.status) {
        case RunStatus::ok: return "";
        case RunStatus::nonzero_exit: return "RE";
        case RunStatus::time_limit:
        case RunStatus::wall_time_limit: return "TO";
        case RunStatus::output_limit:
        case RunStatus::file_size_limit: return r.stderr_truncated && !r.stdout_truncated ? "EL" : "OL";
        case RunStatus::setup_error: return "XX";
        default: return "SG";
    }
}

std::string piston_message(const RunResult& r) {
    switch (r.status) {
        case RunStatus::ok: return "";
        case RunStatus::nonzero_exit: return "Exited with error status " + std::to_string(r.exit_code);
        case RunStatus::time_limit: return "CPU time limit exceeded";
        case RunStatus::wall_time_limit: return "Wall time limit exceeded";
        case RunStatus::memory_limit: return "Memory limit exceeded";
        case RunStatus::output_limit:
        case RunStatus::file_size_limit: return r.stderr_truncated && !r.stdout_truncated ? "stderr length exceeded" : "stdout length exceeded";
        case RunStatus::process_limit: return "Process limit exceeded";
        case RunStatus::security_violation: return "Security violation: system call " + r.violation.value_or("?");
        case RunStatus::setup_error: return r.error.empty() ? "internal error" : r.error;
        case RunStatus::signaled: return "Caught fatal signal " + std::to_string(r.signal);
    }
    return "";
}

}  // namespace

std::string semver(const std::string& version) {
    auto p = parts(version);
    while (p.size() < 3) p.push_back(0);
    return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]);
}

bool version_matches(const std::string& selector_in, const std::string& version) {
    std::string sel = selector_in;
    sel.erase(std::remove(sel.begin(), sel.end(), ' '), sel.end());
    if (sel.empty() || sel == "*" || sel == "x" || sel == "latest") return true;
    auto v = parts(version);
    for (const char* op : {">=", "<=", ">", "<", "="}) {
        std::string o = op;
        if (sel.rfind(o, 0) != 0) continue;
        int c = compare(v, parts(sel.substr(o.size())));
        if (o == ">=") return c >= 0;
        if (o == "<=") return c <= 0;
        if (o == ">") return c > 0;
        if (o == "<") return c < 0;
        return c == 0;
    }
    if (sel[0] == '^' || sel[0] == '~') {
        auto base = parts(sel.substr(1));
        if (compare(v, base) < 0 || base.empty() || v.empty() || v[0] != base[0]) return false;
        return sel[0] == '^' || base.size() < 2 || (v.size() > 1 && v[1] == base[1]);
    }
    // Component-wise: "3", "3.x", "3.11.*" are prefixes with wildcards.
    std::istringstream in(sel);
    std::string comp;
    std::size_t i = 0;
    while (std::getline(in, comp, '.')) {
        if (comp == "x" || comp == "X" || comp == "*") return true;
        if (comp.empty() || !std::all_of(comp.begin(), comp.end(), [](unsigned char c) { return std::isdigit(c); }))
            return false;
        long want = std::stol(comp.substr(0, 9));
        if ((i < v.size() ? v[i] : 0) != want) return false;
        ++i;
    }
    return true;
}

std::vector<Runtime> runtimes(const std::vector<LanguageInfo>& languages) {
    std::vector<Runtime> out;
    for (const auto& l : languages)
        if (l.available && !l.piston_language.empty())
            out.push_back({l.piston_language, semver(l.version), l.piston_aliases, &l});
    return out;
}

const Runtime* resolve(const std::vector<Runtime>& rts, const std::string& language, const std::string& selector) {
    const Runtime* best = nullptr;
    for (const auto& r : rts) {
        bool named = r.language == language ||
                     std::find(r.aliases.begin(), r.aliases.end(), language) != r.aliases.end();
        if (!named || !version_matches(selector, r.version)) continue;
        if (!best || compare(parts(r.version), parts(best->version)) > 0) best = &r;
    }
    return best;
}

Parsed validate(const json& body, const std::vector<Runtime>& rts, const json& settings, bool interactive) {
    Parsed p;
    auto fail = [&](std::string m) {
        p.error = std::move(m);
        p.stored = nullptr;
        return p;
    };
    if (!body.is_object()) return fail("request body must be a JSON object");
    if (!body.contains("language") || !body["language"].is_string()) return fail("language is required as a string");
    if (!body.contains("version") || !body["version"].is_string()) return fail("version is required as a string");
    if (!body.contains("files") || !body["files"].is_array()) return fail("files is required as an array");
    std::string language = body["language"], version = body["version"];
    p.runtime = resolve(rts, language, version);
    if (!p.runtime) return fail(language + "-" + version + " runtime is unknown");
    json& s = p.stored;
    s = {{"language", p.runtime->language}, {"version", p.runtime->version}, {"profile", p.runtime->info->id}};
    json files = json::array();
    int entry = -1;
    const json& in = body["files"];
    if (in.size() > 64) return fail("files must not hold more than 64 entries");
    for (std::size_t i = 0; i < in.size(); ++i) {
        std::string at = "files[" + std::to_string(i) + "]";
        if (!in[i].is_object()) return fail(at + " must be an object");
        if (!in[i].contains("content") || !in[i]["content"].is_string()) return fail(at + ".content is required as a string");
        std::string encoding = "utf8";
        if (in[i].contains("encoding") && !in[i]["encoding"].is_null()) {
            if (!in[i]["encoding"].is_string()) return fail(at + ".encoding must be a string");
            encoding = in[i]["encoding"];
        }
        std::string content = in[i]["content"];
        std::optional<std::string> bytes = content;
        if (encoding == "base64") bytes = base64_decode_lenient(content);
        else if (encoding == "hex") bytes = decode_hex(content);
        else if (encoding != "utf8") return fail(at + ".encoding must be one of utf8, base64, hex");
        if (!bytes) return fail(at + ".content is not valid " + encoding);
        std::string name = "file" + std::to_string(i) + ".code";
        if (in[i].contains("name") && in[i]["name"].is_string() && !in[i]["name"].get<std::string>().empty())
            name = in[i]["name"];
        if (auto problem = safe_name_problem(name); !problem.empty()) return fail(at + ".name " + problem);
        if (entry < 0 && encoding == "utf8") entry = static_cast<int>(i);
        files.push_back({{"name", name}, {"content", base64_encode(*bytes)}, {"entry", false}});
    }
    if (entry < 0) return fail("files must include at least one utf8 encoded file");
    files[static_cast<std::size_t>(entry)]["entry"] = true;
    s["files"] = files;
    std::string stdin_text;
    if (!interactive && body.contains("stdin") && !body["stdin"].is_null()) {
        if (!body["stdin"].is_string()) return fail("stdin must be a string");
        stdin_text = body["stdin"];
    }
    if (!stdin_text.empty() && stdin_text.back() != '\n') stdin_text += '\n';  // Piston forces a final newline
    s["stdin"] = base64_encode(stdin_text);
    json args = json::array();
    if (body.contains("args") && !body["args"].is_null()) {
        if (!body["args"].is_array()) return fail("args must be an array of strings");
        for (const auto& a : body["args"]) {
            if (!a.is_string() && !a.is_number()) return fail("args must be an array of strings");
            args.push_back(a.is_string() ? a.get<std::string>() : a.dump());
        }
    }
    s["args"] = args;
    for (const char* key : {"compile_timeout", "run_timeout", "compile_cpu_time", "run_cpu_time",
                            "compile_memory_limit", "run_memory_limit"}) {
        double configured = settings[key].get<double>();
        double value = configured;
        if (body.contains(key) && !body[key].is_null()) {
            if (!body[key].is_number()) return fail(std::string("If specified, ") + key + " must be a number");
            double asked = body[key].get<double>();
            bool memory = std::string(key).find("memory") != std::string::npos;
            if (memory && asked == -1) asked = 0;
            if (asked < 0) return fail(std::string(key) + " must be non-negative");
            if (configured >= 0 && asked > configured)
                return fail(std::string(key) + " cannot exceed the configured limit of " +
                            std::to_string(static_cast<long long>(configured)));
            if (asked != 0) value = asked;
        }
        s[key] = value;
    }
    s["output_max_size"] = settings["output_max_size"];
    return p;
}

Result<Job> to_job(const json& s) {
    Job job;
    job.language = s.value("profile", "");
    for (const auto& f : s["files"]) {
        auto bytes = base64_decode_lenient(f["content"].get<std::string>()).value_or("");
        // The entry file takes the profile's source name, so a nameless C file still compiles.
        if (f["entry"].get<bool>()) job.sources.insert(job.sources.begin(), SourceFile{"", bytes});
        else job.files.push_back({f["name"].get<std::string>(), bytes});
    }
    TestCase t;
    t.stdin_data = base64_decode_lenient(s["stdin"].get<std::string>()).value_or("");
    job.tests.push_back(t);
    for (const auto& a : s["args"]) job.args.push_back(a.get<std::string>());
    auto ms = [](double v) { return static_cast<std::uint64_t>(std::llround(v)); };
    job.compile_limits.wall_time_ms = ms(s["compile_timeout"].get<double>());
    job.compile_limits.cpu_time_ms = ms(s["compile_cpu_time"].get<double>());
    job.run_limits.wall_time_ms = ms(s["run_timeout"].get<double>());
    job.run_limits.cpu_time_ms = ms(s["run_cpu_time"].get<double>());
    if (s["compile_memory_limit"].get<double>() > 0)
        job.compile_limits.memory_kib = static_cast<std::uint64_t>(std::ceil(s["compile_memory_limit"].get<double>() / 1024));
    if (s["run_memory_limit"].get<double>() > 0)
        job.run_limits.memory_kib = static_cast<std::uint64_t>(std::ceil(s["run_memory_limit"].get<double>() / 1024));
    job.compare.mode = CompareMode::exact;
    return job;
}

json stage(const RunResult& r, std::size_t cap) {
    std::string out = r.stdout_data.substr(0, cap), err = r.stderr_data.substr(0, cap);
    std::string status = piston_status(r), message = piston_message(r);
    bool killed = status == "TO" || status == "OL" || status == "EL";
    json signal = killed ? json("SIGKILL") : r.signal_name.empty() ? json() : json(r.signal_name);
    return {{"stdout", out},
            {"stderr", err},
            {"output", out + err},
            {"code", r.signal || killed ? json() : json(r.exit_code)},
            {"signal", signal},
            {"message", message.empty() ? json() : json(message)},
            {"status", status.empty() ? json() : json(status)},
            {"cpu_time", r.cpu_time_us / 1000},
            {"wall_time", r.wall_time_us / 1000},
            {"memory", r.memory_kib * 1024}};
}

json outcome(const JobResult& result, const json& s) {
    std::size_t cap = s.value("output_max_size", 65536u);
    json out = {{"language", s["language"]}, {"version", s["version"]}};
    if (result.compile) {
        RunResult c = *result.compile;
        if (c.stdout_data.empty() && c.stderr_data.empty()) c.stderr_data = result.compile_output;
        out["compile"] = stage(c, cap);
    }
    if (result.verdict == Verdict::compilation_error && out.contains("compile")) {
        out["run"] = out["compile"];  // Piston keeps this for backward compatibility
    } else if (!result.tests.empty()) {
        out["run"] = stage(result.tests.front().run, cap);
    } else {
        RunResult failed;
        failed.status = RunStatus::setup_error;
        failed.error = result.internal_error.empty() ? "the job did not run" : result.internal_error;
        out["run"] = stage(failed, cap);
    }
    return out;
}

}  // namespace ringfence::server::piston
