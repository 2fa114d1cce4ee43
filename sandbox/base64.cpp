#include "base64.hpp"

#include <array>
#include <cstdint>

namespace ringfence {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_decode_table() {
    std::array<std::int8_t, 256> table{};
    for (auto& v : table) v = -1;
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}
constexpr auto kDecode = make_decode_table();

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::optional<std::string> failure(Base64Error* error, std::size_t offset, std::string problem) {
    if (error) *error = Base64Error{offset, std::move(problem)};
    return std::nullopt;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t g = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                          (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
        out += kAlphabet[g >> 18];
        out += kAlphabet[(g >> 12) & 63];
        out += kAlphabet[(g >> 6) & 63];
        out += kAlphabet[g & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest) {
        std::uint32_t g = std::uint32_t(std::uint8_t(bytes[i])) << 16;
        if (rest == 2) g |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
        out += kAlphabet[g >> 18];
        out += kAlphabet[(g >> 12) & 63];
        out += rest == 2 ? kAlphabet[(g >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text, const Base64Rules& rules, Base64Error* error) {
    std::string out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t group = 0;
    int count = 0;    // sextets in the current group
    int padding = 0;  // '=' seen; after one, only '=' (and whitespace) may follow
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (rules.skip_whitespace && is_space(c)) continue;
        if (c == '=') {
            if (count < 2) return failure(error, i, "misplaced '='");
            if (++padding + count > 4) return failure(error, i, "too much padding");
            continue;
        }
        if (padding) return failure(error, i, "data after padding");
        int v = kDecode[static_cast<unsigned char>(c)];
        if (v < 0) return failure(error, i, "not a base64 character");
        group = (group << 6) | static_cast<std::uint32_t>(v);
        if (++count == 4) {
            out.push_back(static_cast<char>(group >> 16));
            out.push_back(static_cast<char>(group >> 8));
            out.push_back(static_cast<char>(group));
            group = 0;
            count = 0;
        }
    }
    if (count == 1) return failure(error, text.size(), "truncated input");
    if (padding && count + padding != 4) return failure(error, text.size(), "wrong padding");
    if (count > 0 && !padding && !rules.padding_optional) return failure(error, text.size(), "missing padding");
    const std::uint32_t stray = count == 2 ? group & 0xF : count == 3 ? group & 0x3 : 0;
    if (stray && !rules.ignore_trailing_bits) return failure(error, text.size(), "non-zero trailing bits");
    if (count == 2) {
        out.push_back(static_cast<char>(group >> 4));
    } else if (count == 3) {
        out.push_back(static_cast<char>(group >> 10));
        out.push_back(static_cast<char>(group >> 2));
    }
    return out;
}

}  // namespace ringfence
