// Reading JSON documents field by field with the path of every value at hand,
// so that each complaint names exactly what is wrong ("tests[2].stdin: expected
// a string") and no unknown (mistyped) field is ever silently ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ringfence::judge {

// Thrown only inside parsers and caught at their public boundary, where it
// becomes an input Error: it keeps the many field reads of a schema readable.
struct FieldError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail_at(const std::string& path, const std::string& problem);

// "a.b" for a key under a path, "a[3]" for an index.
std::string child_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);

// JSON type name for messages: "a string", "an object", "null"...
std::string json_type_name(const nlohmann::json& value);

// One JSON object being read. Every read marks its key as known; finish()
// rejects what was never read.
class Fields {
public:
    Fields(const nlohmann::json& object, std::string path);

    const std::string& path() const { return path_; }
    std::string path_of(std::string_view key) const { return child_path(path_, key); }
    bool has(std::string_view key) const;

    // Absent (or null) fields give nullopt; a present value of the wrong type fails.
    const nlohmann::json* raw(std::string_view key);
    std::optional<std::string> string(std::string_view key, std::size_t max_bytes);
    std::optional<bool> boolean(std::string_view key);
    std::optional<std::uint64_t> unsigned_integer(std::string_view key, std::uint64_t min,
                                                  std::uint64_t max);
    std::optional<double> number(std::string_view key);
    std::optional<std::vector<std::string>> string_array(std::string_view key,
                                                          std::size_t max_items,
                                                          std::size_t max_item_bytes);

    // Marks keys as known without reading them (comments, reserved names).
    void ignore(std::string_view key);
    // Lets keys starting with '_' or '$' through finish() (comments in data files).
    void allow_comment_keys() { allow_comments_ = true; }
    // Fails on the first key never read, suggesting the closest known key.
    void finish() const;

private:
    const nlohmann::json& object_;
    std::string path_;
    std::set<std::string, std::less<>> read_;
    bool allow_comments_ = false;
};

// A string that must not contain NUL (argv, names, flags).
void require_no_nul(const std::string& value, const std::string& path);

}  // namespace ringfence::judge
