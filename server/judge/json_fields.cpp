#include "json_fields.hpp"

#include <algorithm>
#include <cmath>

namespace ringfence::judge {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

void fail_at(const std::string& path, const std::string& problem) {
    throw FieldError(path.empty() ? problem : path + ": " + problem);
}

std::string child_path(const std::string& parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    std::string out = parent;
    out += '.';
    out += key;
    return out;
}

std::string index_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

std::string json_type_name(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null: return "null";
        case nlohmann::json::value_t::object: return "an object";
        case nlohmann::json::value_t::array: return "an array";
        case nlohmann::json::value_t::string: return "a string";
        case nlohmann::json::value_t::boolean: return "a boolean";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned: return "an integer";
        case nlohmann::json::value_t::number_float: return "a number";
        default: return "an unsupported value";
    }
}

Fields::Fields(const nlohmann::json& object, std::string path)
    : object_(object), path_(std::move(path)) {
    if (!object_.is_object())
        fail_at(path_.empty() ? std::string("document") : path_,
                "expected an object, got " + json_type_name(object_));
}

bool Fields::has(std::string_view key) const {
    auto it = object_.find(std::string(key));
    return it != object_.end() && !it->is_null();
}

const nlohmann::json* Fields::raw(std::string_view key) {
    read_.emplace(key);
    auto it = object_.find(std::string(key));
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
}

std::optional<std::string> Fields::string(std::string_view key, std::size_t max_bytes) {
    const auto* value = raw(key);
    if (!value) return std::nullopt;
    if (!value->is_string()) fail_at(path_of(key), "expected a string, got " + json_type_name(*value));
    const auto& text = value->get_ref<const std::string&>();
    if (text.size() > max_bytes)
        fail_at(path_of(key), "longer than " + std::to_string(max_bytes) + " bytes");
    return text;
}

std::optional<bool> Fields::boolean(std::string_view key) {
    const auto* value = raw(key);
    if (!value) return std::nullopt;
    if (!value->is_boolean())
        fail_at(path_of(key), "expected true or false, got " + json_type_name(*value));
    return value->get<bool>();
}

std::optional<std::uint64_t> Fields::unsigned_integer(std::string_view key, std::uint64_t min,
                                                      std::uint64_t max) {
    const auto* value = raw(key);
    if (!value) return std::nullopt;
    std::uint64_t number = 0;
    if (value->is_number_unsigned()) {
        number = value->get<std::uint64_t>();
    } else if (value->is_number_integer()) {
        fail_at(path_of(key), "must not be negative");
    } else if (value->is_number_float()) {
        // 2000.0 is an integer to a person; 2000.5 is not.
        double d = value->get<double>();
        if (!std::isfinite(d) || d != std::floor(d)) fail_at(path_of(key), "expected a whole number");
        if (d < 0) fail_at(path_of(key), "must not be negative");
        if (d > 1.8e19) fail_at(path_of(key), "too large");
        number = static_cast<std::uint64_t>(d);
    } else {
        fail_at(path_of(key), "expected a whole number, got " + json_type_name(*value));
    }
    if (number < min) fail_at(path_of(key), "must be at least " + std::to_string(min));
    if (number > max) fail_at(path_of(key), "must be at most " + std::to_string(max));
    return number;
}

std::optional<double> Fields::number(std::string_view key) {
    const auto* value = raw(key);
    if (!value) return std::nullopt;
    if (!value->is_number()) fail_at(path_of(key), "expected a number, got " + json_type_name(*value));
    double d = value->get<double>();
    if (!std::isfinite(d)) fail_at(path_of(key), "must be finite");
    return d;
}

std::optional<std::vector<std::string>> Fields::string_array(std::string_view key,
                                                             std::size_t max_items,
                                                             std::size_t max_item_bytes) {
    const auto* value = raw(key);
    if (!value) return std::nullopt;
    const std::string path = path_of(key);
    if (!value->is_array()) fail_at(path, "expected an array of strings, got " + json_type_name(*value));
    if (value->size() > max_items)
        fail_at(path, "more than " + std::to_string(max_items) + " items");
    std::vector<std::string> out;
    out.reserve(value->size());
    for (std::size_t i = 0; i < value->size(); ++i) {
        const auto& item = (*value)[i];
        const std::string item_path = index_path(path, i);
        if (!item.is_string()) fail_at(item_path, "expected a string, got " + json_type_name(item));
        const auto& text = item.get_ref<const std::string&>();
        if (text.size() > max_item_bytes)
            fail_at(item_path, "longer than " + std::to_string(max_item_bytes) + " bytes");
        require_no_nul(text, item_path);
        out.push_back(text);
    }
    return out;
}

void Fields::ignore(std::string_view key) { read_.emplace(key); }

void Fields::finish() const {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
        if (read_.count(it.key())) continue;
        if (allow_comments_ && !it.key().empty() && (it.key()[0] == '_' || it.key()[0] == '$')) continue;
        // Suggest only plausible typos: a small edit, or a shortened name ("cpu_time").
        std::string best;
        std::size_t best_distance = 3;
        for (const auto& known : read_) {
            std::size_t d = edit_distance(it.key(), known);
            bool shortened = it.key().size() >= 4 && known.rfind(it.key(), 0) == 0;
            if (shortened) d = std::min<std::size_t>(d, 2);
            if (d < best_distance) best_distance = d, best = known;
        }
        std::string problem = "unknown field";
        if (!best.empty()) problem += " (did you mean \"" + best + "\"?)";
        fail_at(path_of(it.key()), problem);
    }
}

void require_no_nul(const std::string& value, const std::string& path) {
    if (value.find('\0') != std::string::npos) fail_at(path, "must not contain a NUL character");
}

}  // namespace ringfence::judge
