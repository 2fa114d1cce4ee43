#include "strict_json.hpp"

#include <cmath>
#include <limits>

#include "base64.hpp"

namespace ringfence::vm {
namespace {

const nlohmann::json& null_json() {
    static const nlohmann::json null_value;
    return null_value;
}

}  // namespace

bool json_nesting_within(std::string_view text, int max_depth) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

Result<nlohmann::json> parse_untrusted_json(std::string_view text, const std::string& what,
                                            int max_depth) {
    if (!json_nesting_within(text, max_depth))
        return input_error(what + ": JSON nested deeper than " + std::to_string(max_depth) + " levels");
    nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (value.is_discarded()) return input_error(what + ": not valid JSON");
    if (!value.is_object()) return input_error(what + ": expected a JSON object");
    return value;
}

FieldReader::FieldReader(const nlohmann::json& value, std::string path, ErrorSink& sink)
    : value_(&value), path_(std::move(path)), sink_(&sink) {
    if (!value.is_object()) {
        sink_->fail(path_, "expected an object");
        value_ = &null_json();
    }
}

const nlohmann::json* FieldReader::find(const char* key) {
    seen_.insert(key);
    if (!value_->is_object()) return nullptr;
    const auto it = value_->find(key);
    return it == value_->end() ? nullptr : &*it;
}

bool FieldReader::is_null(const char* key) {
    const auto* v = find(key);
    return !v || v->is_null();
}

std::string FieldReader::str(const char* key, std::size_t max_bytes) {
    const auto* v = find(key);
    if (!v) return sink_->fail(at(key), "missing"), std::string{};
    if (!v->is_string()) return sink_->fail(at(key), "expected a string"), std::string{};
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max_bytes)
        return sink_->fail(at(key), "longer than " + std::to_string(max_bytes) + " bytes"), std::string{};
    return s;
}

std::optional<std::string> FieldReader::opt_str(const char* key, std::size_t max_bytes) {
    if (is_null(key)) return std::nullopt;
    return str(key, max_bytes);
}

std::string FieldReader::bytes_b64(const char* key, std::size_t max_decoded) {
    // Encoded size is 4/3 of the decoded one; check before decoding anything.
    const std::string text = str(key, (max_decoded + 2) / 3 * 4);
    if (!ok()) return {};
    auto decoded = base64_decode(text);
    if (!decoded) return sink_->fail(at(key), "invalid base64"), std::string{};
    if (decoded->size() > max_decoded)
        return sink_->fail(at(key), "longer than " + std::to_string(max_decoded) + " bytes"), std::string{};
    return std::move(*decoded);
}

std::uint64_t FieldReader::u64(const char* key, std::uint64_t max) {
    const auto* v = find(key);
    if (!v) return sink_->fail(at(key), "missing"), 0;
    if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<std::int64_t>() >= 0))
        return sink_->fail(at(key), "expected an unsigned integer"), 0;
    const auto value = v->get<std::uint64_t>();
    if (value > max) return sink_->fail(at(key), "above the maximum " + std::to_string(max)), 0;
    return value;
}

std::uint32_t FieldReader::u32(const char* key, std::uint32_t max) {
    return static_cast<std::uint32_t>(u64(key, max));
}

std::int64_t FieldReader::i64(const char* key, std::int64_t min, std::int64_t max) {
    const auto* v = find(key);
    if (!v) return sink_->fail(at(key), "missing"), 0;
    if (!v->is_number_integer()) return sink_->fail(at(key), "expected an integer"), 0;
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max))
        return sink_->fail(at(key), "out of range"), 0;
    const auto value = v->get<std::int64_t>();
    if (value < min || value > max) return sink_->fail(at(key), "out of range"), 0;
    return value;
}

std::optional<double> FieldReader::opt_number(const char* key) {
    const auto* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_number()) return sink_->fail(at(key), "expected a number"), std::nullopt;
    const double d = v->get<double>();
    if (!std::isfinite(d)) return sink_->fail(at(key), "not finite"), std::nullopt;
    return d;
}

bool FieldReader::boolean(const char* key) {
    const auto* v = find(key);
    if (!v) return sink_->fail(at(key), "missing"), false;
    if (!v->is_boolean()) return sink_->fail(at(key), "expected true or false"), false;
    return v->get<bool>();
}

std::vector<std::string> FieldReader::str_list(const char* key, std::size_t max_items,
                                               std::size_t max_bytes) {
    std::vector<std::string> out;
    const auto* v = find(key);
    if (!v) return sink_->fail(at(key), "missing"), out;
    if (!v->is_array()) return sink_->fail(at(key), "expected an array"), out;
    if (v->size() > max_items)
        return sink_->fail(at(key), "more than " + std::to_string(max_items) + " items"), out;
    for (std::size_t i = 0; i < v->size(); ++i) {
        const auto& item = (*v)[i];
        const std::string item_path = at(key) + "[" + std::to_string(i) + "]";
        if (!item.is_string()) return sink_->fail(item_path, "expected a string"), out;
        if (item.get_ref<const std::string&>().size() > max_bytes)
            return sink_->fail(item_path, "longer than " + std::to_string(max_bytes) + " bytes"), out;
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::vector<FieldReader> FieldReader::objects(const char* key, std::size_t max_items) {
    std::vector<FieldReader> out;
    const auto* v = find(key);
    if (!v) return sink_->fail(at(key), "missing"), out;
    if (!v->is_array()) return sink_->fail(at(key), "expected an array"), out;
    if (v->size() > max_items)
        return sink_->fail(at(key), "more than " + std::to_string(max_items) + " items"), out;
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i)
        out.emplace_back((*v)[i], at(key) + "[" + std::to_string(i) + "]", *sink_);
    return out;
}

FieldReader FieldReader::object(const char* key) {
    const auto* v = find(key);
    if (!v) {
        sink_->fail(at(key), "missing");
        return FieldReader(null_json(), at(key), *sink_);
    }
    return FieldReader(*v, at(key), *sink_);
}

void FieldReader::reject_unknown_keys() {
    if (!value_->is_object()) return;
    for (const auto& item : value_->items())
        if (!seen_.count(item.key())) {
            sink_->fail(path_ + "." + item.key(), "unknown field");
            return;
        }
}

}  // namespace ringfence::vm
