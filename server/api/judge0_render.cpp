// Judge0 results: status ids, the stored outcome, and submissions rendered
// with `fields` and `base64_encoded` exactly as Judge0 CE 1.13.1 shows them.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "judge0_submission.hpp"
#include "service/audit_log.hpp"
#include "service/base64.hpp"

namespace ringfence::server::judge0 {
namespace {

using nlohmann::json;

const char* const kStatus[] = {"",
                               "In Queue",
                               "Processing",
                               "Accepted",
                               "Wrong Answer",
                               "Time Limit Exceeded",
                               "Compilation Error",
                               "Runtime Error (SIGSEGV)",
                               "Runtime Error (SIGXFSZ)",
                               "Runtime Error (SIGFPE)",
                               "Runtime Error (SIGABRT)",
                               "Runtime Error (NZEC)",
                               "Runtime Error (Other)",
                               "Internal Error",
                               "Exec Format Error"};

// Attributes Judge0 encodes when base64_encoded=true.
const std::set<std::string> kTextFields = {"source_code", "stdin",          "expected_output", "stdout",
                                           "stderr",      "compile_output", "message"};

json b64_or_null(const std::string& bytes) { return bytes.empty() ? json() : json(base64_encode(bytes)); }

int status_for_signal(int signal) {
    switch (signal) {
        case 11: return 7;
        case 25: return 8;
        case 8: return 9;
        case 6: return 10;
        default: return 12;
    }
}

const TestResult* deciding_test(const JobResult& r) {
    for (const auto& t : r.tests)
        if (t.verdict != Verdict::accepted && t.verdict != Verdict::skipped) return &t;
    return r.tests.empty() ? nullptr : &r.tests.back();
}

}  // namespace

const std::vector<std::string>& all_fields() {
    static const std::vector<std::string> kAll = {
        "source_code",  "language_id",   "stdin",          "expected_output", "stdout",         "status_id",
        "created_at",   "finished_at",   "time",           "memory",          "stderr",         "token",
        "number_of_runs", "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit", "stack_limit",
        "max_processes_and_or_threads", "enable_per_process_and_thread_time_limit",
        "enable_per_process_and_thread_memory_limit", "max_file_size", "compile_output", "exit_code", "exit_signal",
        "message", "wall_time", "compiler_options", "command_line_arguments", "redirect_stderr_to_stdout",
        "callback_url", "additional_files", "enable_network", "status", "language"};
    return kAll;
}

const std::vector<std::string>& default_fields() {
    static const std::vector<std::string> kDefault = {"token", "time", "memory", "stdout", "stderr",
                                                      "compile_output", "message", "status"};
    return kDefault;
}

Result<std::vector<std::string>> parse_fields(const std::optional<std::string>& param) {
    if (!param || param->empty()) return default_fields();
    std::vector<std::string> out, invalid;
    std::size_t start = 0;
    while (start <= param->size()) {
        auto comma = param->find(',', start);
        std::string name = param->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (name == "*") {
            for (const auto& f : all_fields())
                if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
        } else if (!name.empty()) {
            if (std::find(all_fields().begin(), all_fields().end(), name) == all_fields().end()) invalid.push_back(name);
            else if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (!invalid.empty()) {
        std::string list;
        for (const auto& n : invalid) list += (list.empty() ? "" : ", ") + n;
        return input_error("invalid fields: [" + list + "]");
    }
    return out;
}

const char* status_description(int id) { return id >= 1 && id <= kMaxStatusId ? kStatus[id] : ""; }

const LanguageInfo* find_language(const std::vector<LanguageInfo>& languages, int judge0_id) {
    for (const auto& l : languages)
        if (std::find(l.judge0_ids.begin(), l.judge0_ids.end(), judge0_id) != l.judge0_ids.end()) return &l;
    return nullptr;
}

std::string language_name(const LanguageInfo& l, int judge0_id) {
    std::string name;
    for (std::size_t i = 0; i < l.judge0_ids.size() && i < l.judge0_names.size(); ++i)
        if (l.judge0_ids[i] == judge0_id) name = l.judge0_names[i];
    if (name.empty()) return l.name;
    if (l.version.empty()) return name;
    // Judge0's name carries Judge0's toolchain version ("Python (3.8.1)"); show ours instead.
    std::size_t end = name.find_last_of("0123456789");
    if (end == std::string::npos) return name;
    std::size_t start = end;
    while (start > 0 && (std::isdigit(static_cast<unsigned char>(name[start - 1])) || name[start - 1] == '.')) --start;
    return name.substr(0, start) + l.version + name.substr(end + 1);
}

std::string decimal_string(double seconds) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", seconds);
    std::string s = buf;
    while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
    return s;
}

json outcome(const JobResult& r, const json& stored) {
    json o = {{"status_id", 13}, {"stdout", nullptr},    {"stderr", nullptr},    {"compile_output", nullptr},
              {"message", nullptr}, {"time", nullptr},   {"wall_time", nullptr}, {"memory", nullptr},
              {"exit_code", nullptr}, {"exit_signal", nullptr}};
    o["compile_output"] = b64_or_null(r.compile_output);
    if (r.verdict == Verdict::compilation_error) {
        o["status_id"] = 6;
        return o;
    }
    if (r.verdict == Verdict::internal_error && r.tests.empty()) {
        o["message"] = r.internal_error.empty() ? "internal error" : r.internal_error;
        return o;
    }
    const TestResult* t = deciding_test(r);
    if (!t) {
        o["message"] = "no test was run";
        return o;
    }
    const RunResult& run = t->run;
    std::string out = run.stdout_data, err = run.stderr_data;
    if (stored.value("redirect_stderr_to_stdout", false)) {
        out += err;
        err.clear();
    }
    o["stdout"] = b64_or_null(out);
    o["stderr"] = b64_or_null(err);
    // Several runs (number_of_runs): time and memory are averages, as Judge0 reports them.
    double cpu = 0, wall = 0, mem = 0;
    int n = 0;
    for (const auto& x : r.tests) {
        if (x.verdict == Verdict::skipped) continue;
        cpu += static_cast<double>(x.run.cpu_time_us);
        wall += static_cast<double>(x.run.wall_time_us);
        mem += static_cast<double>(x.run.memory_kib);
        ++n;
    }
    n = std::max(n, 1);
    o["time"] = decimal_string(cpu / n / 1e6);
    o["wall_time"] = decimal_string(wall / n / 1e6);
    o["memory"] = static_cast<long long>(mem / n);
    o["exit_code"] = run.signal ? 0 : run.exit_code;  // Judge0 reports 0 when a signal ended the program
    o["exit_signal"] = run.signal ? json(run.signal) : json();
    switch (t->verdict) {
        case Verdict::accepted: o["status_id"] = 3; break;
        case Verdict::wrong_answer:
        case Verdict::presentation_error: o["status_id"] = 4; break;
        case Verdict::time_limit_exceeded:
            o["status_id"] = 5;
            o["message"] = "Time limit exceeded";
            break;
        case Verdict::memory_limit_exceeded:
            o["status_id"] = 12;  // Judge0 has no MLE status; the message says what happened
            o["message"] = "Memory limit exceeded";
            break;
        case Verdict::output_limit_exceeded:
            o["status_id"] = 8;
            o["message"] = "Output limit exceeded";
            break;
        case Verdict::security_violation:
            o["status_id"] = 12;
            o["message"] = "Security violation: system call " + run.violation.value_or("?") + " is not allowed";
            break;
        case Verdict::runtime_error:
            if (run.signal) {
                o["status_id"] = status_for_signal(run.signal);
                o["message"] = "Caught fatal signal " + std::to_string(run.signal);
            } else {
                o["status_id"] = 11;
                o["message"] = "Exited with error status " + std::to_string(run.exit_code);
            }
            break;
        case Verdict::compilation_error: o["status_id"] = 6; break;
        case Verdict::internal_error:
        case Verdict::skipped:
            o["status_id"] = 13;
            o["message"] = !r.internal_error.empty() ? r.internal_error : run.error.empty() ? "internal error" : run.error;
            break;
    }
    return o;
}

Rendered render(const JobRecord& record, const std::vector<std::string>& fields, bool base64,
                const std::vector<LanguageInfo>& languages) {
    json stored = json::parse(record.request, nullptr, false);
    json result = record.result.empty() ? json() : json::parse(record.result, nullptr, false);
    if (stored.is_discarded()) stored = json::object();
    if (result.is_discarded()) result = nullptr;
    int status = record.state == JobState::queued    ? 1
                 : record.state == JobState::running ? 2
                 : result.is_object()                ? result.value("status_id", 13)
                                                     : 13;
    Rendered out;
    out.body = json::object();
    for (const auto& f : fields) {
        json value;
        if (f == "token") value = record.id;
        else if (f == "status") value = {{"id", status}, {"description", status_description(status)}};
        else if (f == "status_id") value = status;
        else if (f == "created_at") value = iso8601_utc_ms(record.created_ms);
        else if (f == "finished_at") value = record.finished_ms ? json(iso8601_utc_ms(record.finished_ms)) : json();
        else if (f == "language") {
            int id = stored.value("language_id", 0);
            const LanguageInfo* l = find_language(languages, id);
            value = {{"id", id}, {"name", l ? language_name(*l, id) : ""}};
        } else if (f == "cpu_time_limit" || f == "cpu_extra_time" || f == "wall_time_limit") {
            // Decimals come back as strings, like Rails renders BigDecimal.
            if (stored.contains(f) && stored[f].is_number()) value = decimal_string(stored[f].get<double>());
        } else if (f == "source_code" || f == "stdin" || f == "expected_output") {
            value = stored.contains(f) ? stored[f] : json();
        } else if (result.is_object() && result.contains(f)) {
            value = result[f];
            if (f == "message" && value.is_string()) value = base64_encode(value.get<std::string>());
        } else if (stored.contains(f)) {
            value = stored[f];
        }
        // Text attributes are kept base64 (unwrapped) inside; present them as asked.
        if (kTextFields.count(f) && value.is_string()) {
            auto bytes = base64_decode_lenient(value.get<std::string>()).value_or("");
            if (base64) {
                value = base64_encode_wrapped(bytes);
            } else {
                if (!is_valid_utf8(bytes)) {
                    out.error =
                        "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true "
                        "query parameter";
                    out.body = json::object();
                    return out;
                }
                value = bytes;
            }
        }
        out.body[f] = value;
    }
    return out;
}

}  // namespace ringfence::server::judge0
