// parse_job_json: the native job JSON (server/judge/JOB_SCHEMA.md) into a Job.
// Every complaint names the field by its JSON path; unknown fields are errors.
#include "base64.hpp"
#include "job_caps.hpp"
#include "json_fields.hpp"
#include "names.hpp"
#include "ringfence/judge.hpp"

namespace ringfence {
namespace {

using judge::Fields;
using judge::fail_at;
using judge::index_path;
using nlohmann::json;

// Running totals of decoded bytes, checked against the caps as they grow.
struct Budget {
    std::size_t used = 0;
    std::size_t cap;
    const char* what;
    void spend(std::size_t bytes, const std::string& path) {
        used += bytes;
        if (used > cap)
            fail_at(path, std::string("the job's ") + what + " exceed " + std::to_string(cap >> 20) +
                              " MiB in total");
    }
};

// The largest JSON string that can still decode to `cap` bytes (base64 with line breaks).
std::size_t encoded_cap(std::size_t cap) { return cap / 3 * 4 + cap / 16 + 64; }

bool read_encoding_is_base64(Fields& f) {
    auto encoding = f.string("encoding", 16);
    if (!encoding || *encoding == "text") return false;
    if (*encoding == "base64") return true;
    fail_at(f.path_of("encoding"), "expected \"text\" or \"base64\", got \"" + *encoding + "\"");
}

std::string decode(const std::string& text, bool base64, const std::string& path) {
    if (!base64) return text;
    Base64Error error;
    auto bytes = base64_decode(text, kBase64Tolerant, &error);
    if (!bytes)
        fail_at(path, "invalid base64 at offset " + std::to_string(error.offset) + ": " + error.problem);
    return *bytes;
}

void check_name(const std::string& name, const std::string& path) {
    std::string problem = judge::check_relative_name(name);
    if (!problem.empty()) fail_at(path, problem);
}

SourceFile parse_file_entry(const json& value, const std::string& path, bool name_required,
                            Budget& budget) {
    Fields f(value, path);
    SourceFile file;
    auto name = f.string("name", judge::kMaxPathBytes + 1);
    if (name) {
        check_name(*name, f.path_of("name"));
        file.name = *name;
    } else if (name_required) {
        fail_at(f.path_of("name"), "required");
    }
    bool base64 = read_encoding_is_base64(f);
    auto content = f.string("content", encoded_cap(budget.cap));
    if (!content) fail_at(f.path_of("content"), "required");
    file.content = decode(*content, base64, f.path_of("content"));
    budget.spend(file.content.size(), f.path_of("content"));
    f.finish();
    return file;
}

// `sources` (array) or the `source` shorthand (the main file's text).
std::vector<SourceFile> parse_sources(Fields& f, Budget& budget, bool required) {
    const json* many = f.raw("sources");
    auto one = f.string("source", encoded_cap(budget.cap));
    if (many && one) fail_at(f.path_of("source"), "give either \"source\" or \"sources\", not both");
    if (one) {
        budget.spend(one->size(), f.path_of("source"));
        return {SourceFile{"", *one}};
    }
    if (!many) {
        if (required) fail_at(f.path_of("sources"), "required (or the \"source\" shorthand)");
        return {};
    }
    const std::string path = f.path_of("sources");
    if (!many->is_array()) fail_at(path, "expected an array, got " + judge::json_type_name(*many));
    if (many->empty()) fail_at(path, "must hold at least one source file");
    if (many->size() > judge::kMaxSources)
        fail_at(path, "more than " + std::to_string(judge::kMaxSources) + " files");
    std::vector<SourceFile> out;
    for (std::size_t i = 0; i < many->size(); ++i)
        out.push_back(parse_file_entry((*many)[i], index_path(path, i), i > 0, budget));
    return out;
}

std::vector<SourceFile> parse_files(Fields& f) {
    const json* value = f.raw("files");
    if (!value) return {};
    const std::string path = f.path_of("files");
    if (!value->is_array()) fail_at(path, "expected an array, got " + judge::json_type_name(*value));
    if (value->size() > judge::kMaxFiles)
        fail_at(path, "more than " + std::to_string(judge::kMaxFiles) + " files");
    Budget budget{0, judge::kMaxFileBytesTotal, "files"};
    std::vector<SourceFile> out;
    for (std::size_t i = 0; i < value->size(); ++i)
        out.push_back(parse_file_entry((*value)[i], index_path(path, i), true, budget));
    return out;
}

void check_name_clashes(const std::vector<std::pair<std::string, std::string>>& named) {
    std::string clash = judge::find_name_clash(named);
    if (!clash.empty()) throw judge::FieldError(clash);
}

JobLimits parse_limits(const json* value, const std::string& path) {
    JobLimits limits;
    if (!value) return limits;
    Fields f(*value, path);
    limits.cpu_time_ms = f.unsigned_integer("cpu_time_ms", 1, judge::kMaxTimeMs);
    limits.wall_time_ms = f.unsigned_integer("wall_time_ms", 1, judge::kMaxTimeMs);
    limits.memory_kib = f.unsigned_integer("memory_kib", judge::kMinMemoryKib, judge::kMaxMemoryKib);
    if (auto p = f.unsigned_integer("processes", 1, judge::kMaxProcesses))
        limits.processes = static_cast<std::uint32_t>(*p);
    limits.output_bytes = f.unsigned_integer("output_bytes", 1, judge::kMaxOutputBytes);
    limits.file_size_bytes = f.unsigned_integer("file_size_bytes", 0, judge::kMaxOutputBytes);
    f.finish();
    return limits;
}

std::optional<CompareMode> compare_mode_from(const std::string& name) {
    if (name == "exact") return CompareMode::exact;
    if (name == "lines") return CompareMode::lines;
    if (name == "tokens") return CompareMode::tokens;
    if (name == "float" || name == "floats") return CompareMode::floats;
    if (name == "checker") return CompareMode::checker;
    return std::nullopt;
}

double tolerance(Fields& f, const char* key) {
    double v = *f.number(key);
    if (v < 0) fail_at(f.path_of(key), "must not be negative");
    return v;
}

// Returns whether the mode was given explicitly (so a checker can imply it otherwise).
bool parse_compare(const json* value, const std::string& path, CompareOptions& out) {
    if (!value) return false;
    if (value->is_string()) {  // "compare": "tokens"
        auto mode = compare_mode_from(value->get<std::string>());
        if (!mode) fail_at(path, "unknown mode \"" + value->get<std::string>() +
                                     "\" (exact, lines, tokens, float, checker)");
        out.mode = *mode;
        return true;
    }
    Fields f(*value, path);
    auto mode_name = f.string("mode", 32);
    bool explicit_mode = mode_name.has_value();
    if (mode_name) {
        auto mode = compare_mode_from(*mode_name);
        if (!mode) fail_at(f.path_of("mode"), "unknown mode \"" + *mode_name +
                                                  "\" (exact, lines, tokens, float, checker)");
        out.mode = *mode;
    }
    bool both = f.has("float_tolerance");
    bool any_tolerance = both || f.has("float_absolute_tolerance") || f.has("float_relative_tolerance");
    if (both && (f.has("float_absolute_tolerance") || f.has("float_relative_tolerance")))
        fail_at(f.path_of("float_tolerance"),
                "sets both tolerances; do not combine it with float_absolute_tolerance or "
                "float_relative_tolerance");
    if (f.raw("float_tolerance")) {
        double v = tolerance(f, "float_tolerance");
        out.float_absolute_tolerance = out.float_relative_tolerance = v;
    }
    if (f.raw("float_absolute_tolerance")) out.float_absolute_tolerance = tolerance(f, "float_absolute_tolerance");
    if (f.raw("float_relative_tolerance")) out.float_relative_tolerance = tolerance(f, "float_relative_tolerance");
    if (any_tolerance) {
        if (!explicit_mode) out.mode = CompareMode::floats;
        else if (out.mode != CompareMode::floats)
            fail_at(f.path_of("mode"), "float tolerances need mode \"float\"");
    }
    if (auto v = f.boolean("case_sensitive")) out.case_sensitive = *v;
    if (auto v = f.boolean("space_change_sensitive")) out.space_change_sensitive = *v;
    f.finish();
    return explicit_mode;
}

std::optional<HelperProgram> parse_helper(const json* value, const std::string& path) {
    if (!value) return std::nullopt;
    Fields f(*value, path);
    HelperProgram helper;
    auto language = f.string("language", judge::kMaxLanguageIdBytes);
    if (!language || language->empty()) fail_at(f.path_of("language"), "required");
    helper.language = *language;
    Budget budget{0, judge::kMaxSourceBytesTotal, "helper sources"};
    helper.sources = parse_sources(f, budget, true);
    std::vector<std::pair<std::string, std::string>> named;
    for (std::size_t i = 0; i < helper.sources.size(); ++i) {
        const std::string field = index_path(f.path_of("sources"), i);
        const std::string top = judge::top_component(helper.sources[i].name);
        // Its artifacts share /box with these; a clash would end every test as an internal error.
        if (judge::is_helper_file_name(top))
            fail_at(field + ".name", "\"" + top + "\" is taken: a checker or interactor finds or writes " +
                                         judge::helper_file_names() + " in its directory");
        named.emplace_back(helper.sources[i].name, field);
    }
    check_name_clashes(named);
    f.finish();
    return helper;
}

TestCase parse_test(const json& value, const std::string& path, Budget& budget) {
    Fields f(value, path);
    TestCase test;
    bool base64 = read_encoding_is_base64(f);
    std::size_t cap = encoded_cap(judge::kMaxTestBytesTotal);
    if (auto in = f.string("stdin", cap)) test.stdin_data = decode(*in, base64, f.path_of("stdin"));
    budget.spend(test.stdin_data.size(), f.path_of("stdin"));
    if (auto expected = f.string("expected_output", cap)) {
        test.expected_output = decode(*expected, base64, f.path_of("expected_output"));
        budget.spend(test.expected_output->size(), f.path_of("expected_output"));
    }
    if (auto args = f.string_array("args", judge::kMaxArgs, judge::kMaxArgBytes)) test.args = *args;
    f.finish();
    return test;
}

std::vector<TestCase> parse_tests(Fields& f) {
    const json* value = f.raw("tests");
    if (!value) return {TestCase{}};  // run once with empty stdin, any output accepted
    const std::string path = f.path_of("tests");
    if (!value->is_array()) fail_at(path, "expected an array, got " + judge::json_type_name(*value));
    if (value->empty()) fail_at(path, "must hold at least one test (omit it to run once)");
    if (value->size() > judge::kMaxTests)
        fail_at(path, "more than " + std::to_string(judge::kMaxTests) + " tests");
    Budget budget{0, judge::kMaxTestBytesTotal, "test inputs and expected outputs"};
    std::vector<TestCase> tests;
    tests.reserve(value->size());
    for (std::size_t i = 0; i < value->size(); ++i)
        tests.push_back(parse_test((*value)[i], index_path(path, i), budget));
    return tests;
}

Job parse_job(const json& document) {
    Fields f(document, "");
    Job job;
    auto language = f.string("language", judge::kMaxLanguageIdBytes);
    if (!language || language->empty()) fail_at("language", "required");
    job.language = *language;
    if (auto flags = f.string_array("compiler_flags", judge::kMaxFlags, judge::kMaxFlagBytes))
        job.compiler_flags = *flags;
    Budget source_budget{0, judge::kMaxSourceBytesTotal, "sources"};
    job.sources = parse_sources(f, source_budget, true);
    job.files = parse_files(f);
    std::vector<std::pair<std::string, std::string>> named;
    for (std::size_t i = 0; i < job.sources.size(); ++i)
        named.emplace_back(job.sources[i].name, index_path("sources", i));
    for (std::size_t i = 0; i < job.files.size(); ++i)
        named.emplace_back(job.files[i].name, index_path("files", i));
    check_name_clashes(named);
    job.tests = parse_tests(f);
    if (auto args = f.string_array("args", judge::kMaxArgs, judge::kMaxArgBytes)) job.args = *args;
    job.compile_limits = parse_limits(f.raw("compile_limits"), "compile_limits");
    job.run_limits = parse_limits(f.raw("run_limits"), "run_limits");
    bool explicit_mode = parse_compare(f.raw("compare"), "compare", job.compare);
    job.checker = parse_helper(f.raw("checker"), "checker");
    job.interactor = parse_helper(f.raw("interactor"), "interactor");
    if (job.checker && job.interactor)
        fail_at("interactor", "a job has either a checker or an interactor (the interactor decides)");
    if (job.checker) {
        if (explicit_mode && job.compare.mode != CompareMode::checker)
            fail_at("compare.mode", "must be \"checker\" (or omitted) when a checker is given");
        job.compare.mode = CompareMode::checker;
    } else if (job.compare.mode == CompareMode::checker) {
        fail_at("checker", "required by compare mode \"checker\"");
    }
    if (auto v = f.boolean("stop_on_first_failure")) job.stop_on_first_failure = *v;
    if (auto isolation = f.string("isolation", 16)) {
        if (*isolation != "process" && *isolation != "vm")
            fail_at("isolation", "expected \"process\" or \"vm\", got \"" + *isolation + "\"");
        job.isolation = *isolation;
    }
    if (auto v = f.boolean("network")) job.network = *v;
    f.finish();
    return job;
}

}  // namespace

Result<Job> parse_job_json(const std::string& text) {
    json document;
    try {
        document = json::parse(text);
    } catch (const json::parse_error& e) {
        // e.byte tells where; the library's message already says what.
        return input_error("job JSON is not valid JSON at byte " + std::to_string(e.byte) + ": " +
                           e.what());
    } catch (const json::exception& e) {
        // Well-formed but unrepresentable, e.g. a number overflowing a double (found by fuzzing).
        return input_error(std::string("job JSON is not valid JSON: ") + e.what());
    }
    try {
        return parse_job(document);
    } catch (const judge::FieldError& e) {
        return input_error(e.what());
    }
}

}  // namespace ringfence
