// Strict reading of JSON that came from the other side of the VM boundary.
// Every field is required unless read with an opt_ getter, every value is type-
// and range-checked, unknown keys are errors, and the first problem is kept
// with the JSON path of the field (e.g. "result.tests[3].run.exit_code").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ringfence/error.hpp"

namespace ringfence::vm {

// nlohmann's parser recurses per nesting level; a hostile "[[[[..." of a few
// megabytes would exhaust the stack. Checked before parsing.
bool json_nesting_within(std::string_view text, int max_depth);

// Parses text that must be one JSON object, refusing deep nesting and invalid UTF-8.
Result<nlohmann::json> parse_untrusted_json(std::string_view text, const std::string& what,
                                            int max_depth = 16);

// First error wins; readers of nested objects share one sink.
struct ErrorSink {
    std::optional<Error> error;
    void fail(const std::string& path, const std::string& message) {
        if (!error) error = input_error(path + ": " + message);
    }
};

class FieldReader {
public:
    FieldReader(const nlohmann::json& value, std::string path, ErrorSink& sink);

    std::string str(const char* key, std::size_t max_bytes);
    std::optional<std::string> opt_str(const char* key, std::size_t max_bytes);  // null/absent
    std::string bytes_b64(const char* key, std::size_t max_decoded);
    std::uint64_t u64(const char* key, std::uint64_t max = UINT64_MAX);
    std::uint32_t u32(const char* key, std::uint32_t max = UINT32_MAX);
    std::int64_t i64(const char* key, std::int64_t min, std::int64_t max);
    std::optional<double> opt_number(const char* key);
    bool boolean(const char* key);
    std::vector<std::string> str_list(const char* key, std::size_t max_items, std::size_t max_bytes);

    // Element readers for arrays of objects; empty when absent or invalid.
    std::vector<FieldReader> objects(const char* key, std::size_t max_items);
    FieldReader object(const char* key);
    // Absent or null (an optional field left out); marks the key as known.
    bool is_null(const char* key);

    const std::string& path() const { return path_; }
    void fail(const std::string& message) { sink_->fail(path_, message); }
    void fail_field(const char* key, const std::string& message) { sink_->fail(at(key), message); }
    // Reports keys that no getter asked for. Call once after reading every field.
    void reject_unknown_keys();
    bool ok() const { return !sink_->error; }

private:
    const nlohmann::json* find(const char* key);
    std::string at(const char* key) const { return path_ + "." + key; }

    const nlohmann::json* value_;
    std::string path_;
    ErrorSink* sink_;
    std::set<std::string> seen_;
};

}  // namespace ringfence::vm
