// Codecs for judging jobs and their results.
#include <array>
#include <limits>

#include "base64.hpp"
#include "codec_internal.hpp"

namespace ringfence::vm::codec {
namespace {

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

// Verdicts travel under the judge's own names (to_string / verdict_from_string).
Verdict read_verdict(FieldReader& r, const char* key) {
    const std::string text = r.str(key, 64);
    if (auto v = verdict_from_string(text)) return *v;
    if (r.ok()) r.fail_field(key, "unknown value '" + text + "'");
    return Verdict::internal_error;
}

// Comparison modes under the job JSON's names.
constexpr std::array<std::pair<CompareMode, const char*>, 5> kModes{{
    {CompareMode::exact, "exact"},
    {CompareMode::lines, "lines"},
    {CompareMode::tokens, "tokens"},
    {CompareMode::floats, "floats"},
    {CompareMode::checker, "checker"},
}};

template <class E, std::size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& table, E value) {
    for (const auto& [v, n] : table)
        if (v == value) return n;
    return "";
}

template <class E, std::size_t N>
E read_enum(FieldReader& r, const char* key, const std::array<std::pair<E, const char*>, N>& table) {
    const std::string text = r.str(key, 64);
    for (const auto& [v, n] : table)
        if (text == n) return v;
    if (r.ok()) r.fail_field(key, "unknown value '" + text + "'");
    return table[0].first;
}

nlohmann::json optional_u64(const std::optional<std::uint64_t>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::optional<std::uint64_t> read_optional_u64(FieldReader& r, const char* key) {
    if (r.is_null(key)) return std::nullopt;
    return r.u64(key, kMaxU64 / 2);
}

nlohmann::json job_limits_to_json(const JobLimits& l) {
    return {{"cpu_time_ms", optional_u64(l.cpu_time_ms)},
            {"wall_time_ms", optional_u64(l.wall_time_ms)},
            {"memory_kib", optional_u64(l.memory_kib)},
            {"processes", l.processes ? nlohmann::json(*l.processes) : nlohmann::json(nullptr)},
            {"output_bytes", optional_u64(l.output_bytes)},
            {"file_size_bytes", optional_u64(l.file_size_bytes)}};
}

JobLimits read_job_limits(FieldReader r) {
    JobLimits l;
    l.cpu_time_ms = read_optional_u64(r, "cpu_time_ms");
    l.wall_time_ms = read_optional_u64(r, "wall_time_ms");
    l.memory_kib = read_optional_u64(r, "memory_kib");
    if (auto p = read_optional_u64(r, "processes")) {
        if (*p > std::numeric_limits<std::uint32_t>::max()) r.fail_field("processes", "out of range");
        else l.processes = static_cast<std::uint32_t>(*p);
    }
    l.output_bytes = read_optional_u64(r, "output_bytes");
    l.file_size_bytes = read_optional_u64(r, "file_size_bytes");
    r.reject_unknown_keys();
    return l;
}

nlohmann::json files_to_json(const std::vector<SourceFile>& files) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : files) out.push_back({{"name", f.name}, {"data", base64_encode(f.content)}});
    return out;
}

std::vector<SourceFile> read_files(FieldReader& r, const char* key) {
    std::vector<SourceFile> out;
    for (auto& f : r.objects(key, kMaxFiles)) {
        SourceFile file;
        file.name = f.str("name", 4096);
        file.content = f.bytes_b64("data", kMaxDataBytes);
        f.reject_unknown_keys();
        out.push_back(std::move(file));
    }
    return out;
}

nlohmann::json helper_to_json(const std::optional<HelperProgram>& h) {
    if (!h) return nullptr;
    return {{"language", h->language}, {"sources", files_to_json(h->sources)}};
}

std::optional<HelperProgram> read_helper(FieldReader& r, const char* key) {
    if (r.is_null(key)) return std::nullopt;
    auto h = r.object(key);
    HelperProgram program;
    program.language = h.str("language", 256);
    program.sources = read_files(h, "sources");
    h.reject_unknown_keys();
    return program;
}

}  // namespace

nlohmann::json job_to_json(const Job& job) {
    nlohmann::json tests = nlohmann::json::array();
    for (const auto& t : job.tests)
        tests.push_back({{"stdin", base64_encode(t.stdin_data)},
                         {"expected", t.expected_output ? nlohmann::json(base64_encode(*t.expected_output))
                                                        : nlohmann::json(nullptr)},
                         {"args", t.args}});
    const auto& c = job.compare;
    return {{"language", job.language},
            {"compiler_flags", job.compiler_flags},
            {"sources", files_to_json(job.sources)},
            {"files", files_to_json(job.files)},
            {"tests", std::move(tests)},
            {"args", job.args},
            {"compile_limits", job_limits_to_json(job.compile_limits)},
            {"run_limits", job_limits_to_json(job.run_limits)},
            {"compare",
             {{"mode", name_of(kModes, c.mode)},
              {"float_absolute_tolerance", c.float_absolute_tolerance ? nlohmann::json(*c.float_absolute_tolerance)
                                                                      : nlohmann::json(nullptr)},
              {"float_relative_tolerance", c.float_relative_tolerance ? nlohmann::json(*c.float_relative_tolerance)
                                                                      : nlohmann::json(nullptr)},
              {"case_sensitive", c.case_sensitive},
              {"space_change_sensitive", c.space_change_sensitive}}},
            {"checker", helper_to_json(job.checker)},
            {"interactor", helper_to_json(job.interactor)},
            {"stop_on_first_failure", job.stop_on_first_failure},
            {"isolation", job.isolation},
            {"network", job.network}};
}

Job read_job(FieldReader r) {
    Job job;
    job.language = r.str("language", 256);
    job.compiler_flags = r.str_list("compiler_flags", 256, 4096);
    job.sources = read_files(r, "sources");
    job.files = read_files(r, "files");
    for (auto& t : r.objects("tests", kMaxTests)) {
        TestCase test;
        test.stdin_data = t.bytes_b64("stdin", kMaxDataBytes);
        if (!t.is_null("expected")) test.expected_output = t.bytes_b64("expected", kMaxDataBytes);
        test.args = t.str_list("args", kMaxArgs, kMaxArgBytes);
        t.reject_unknown_keys();
        job.tests.push_back(std::move(test));
    }
    job.args = r.str_list("args", kMaxArgs, kMaxArgBytes);
    job.compile_limits = read_job_limits(r.object("compile_limits"));
    job.run_limits = read_job_limits(r.object("run_limits"));
    auto c = r.object("compare");
    job.compare.mode = read_enum(c, "mode", kModes);
    job.compare.float_absolute_tolerance = c.opt_number("float_absolute_tolerance");
    job.compare.float_relative_tolerance = c.opt_number("float_relative_tolerance");
    job.compare.case_sensitive = c.boolean("case_sensitive");
    job.compare.space_change_sensitive = c.boolean("space_change_sensitive");
    c.reject_unknown_keys();
    job.checker = read_helper(r, "checker");
    job.interactor = read_helper(r, "interactor");
    job.stop_on_first_failure = r.boolean("stop_on_first_failure");
    job.isolation = r.str("isolation", 32);
    job.network = r.boolean("network");
    r.reject_unknown_keys();
    return job;
}

nlohmann::json job_result_to_json(const JobResult& x) {
    nlohmann::json tests = nlohmann::json::array();
    for (const auto& t : x.tests)
        tests.push_back({{"index", t.index},
                         {"verdict", to_string(t.verdict)},
                         {"time_limit_kind", t.time_limit_kind},
                         {"run", run_result_to_json(t.run)},
                         {"checker_message", t.checker_message},
                         {"message", t.message}});
    return {{"verdict", to_string(x.verdict)},
            {"compile", x.compile ? run_result_to_json(*x.compile) : nlohmann::json(nullptr)},
            {"compile_output", base64_encode(x.compile_output)},
            {"tests", std::move(tests)},
            {"internal_error", x.internal_error},
            {"message", x.message},
            {"language_version", x.language_version},
            {"max_cpu_time_us", x.max_cpu_time_us},
            {"max_wall_time_us", x.max_wall_time_us},
            {"max_memory_kib", x.max_memory_kib}};
}

JobResult read_job_result(FieldReader r) {
    JobResult x;
    x.verdict = read_verdict(r, "verdict");
    if (!r.is_null("compile")) x.compile = read_run_result(r.object("compile"));
    x.compile_output = r.bytes_b64("compile_output", 1u << 20);
    for (auto& t : r.objects("tests", kMaxTests)) {
        TestResult test;
        test.index = static_cast<int>(t.i64("index", 0, static_cast<std::int64_t>(kMaxTests)));
        test.verdict = read_verdict(t, "verdict");
        test.time_limit_kind = t.str("time_limit_kind", 16);
        test.run = read_run_result(t.object("run"));
        test.checker_message = t.str("checker_message", kMaxTextField);
        test.message = t.str("message", kMaxTextField);
        t.reject_unknown_keys();
        x.tests.push_back(std::move(test));
    }
    x.internal_error = r.str("internal_error", kMaxTextField);
    x.message = r.str("message", kMaxTextField);
    x.language_version = r.str("language_version", 256);
    x.max_cpu_time_us = r.u64("max_cpu_time_us", kMaxU64 / 2);
    x.max_wall_time_us = r.u64("max_wall_time_us", kMaxU64 / 2);
    x.max_memory_kib = r.u64("max_memory_kib", kMaxU64 / 2);
    r.reject_unknown_keys();
    x.tier = "vm";
    return x;
}

}  // namespace ringfence::vm::codec
