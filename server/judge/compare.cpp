#include "compare.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace ringfence::judge {
namespace {

constexpr std::size_t kQuoteBytes = 60;  // how much of a line or token a message shows

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_text(std::string_view a, std::string_view b, bool case_sensitive) {
    if (a.size() != b.size()) return false;
    if (case_sensitive) return a == b;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (fold(a[i]) != fold(b[i])) return false;
    return true;
}

// A quoted excerpt with control bytes escaped, for messages.
std::string quote(std::string_view text) {
    std::string out = "\"";
    std::size_t n = std::min(text.size(), kQuoteBytes);
    for (std::size_t i = 0; i < n; ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
    if (text.size() > n) out += "...";
    return out;
}

std::string number_text(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

CompareOutcome accepted() { return {true, {}}; }
CompareOutcome rejected(std::string message) { return {false, std::move(message)}; }

// ---- exact -----------------------------------------------------------------

CompareOutcome compare_exact(std::string_view expected, std::string_view actual, bool case_sensitive) {
    std::size_t n = std::min(expected.size(), actual.size());
    std::size_t i = 0, line = 1, line_start = 0;
    for (; i < n; ++i) {
        bool equal = case_sensitive ? expected[i] == actual[i] : fold(expected[i]) == fold(actual[i]);
        if (!equal) break;
        if (expected[i] == '\n') ++line, line_start = i + 1;
    }
    if (i == expected.size() && i == actual.size()) return accepted();
    std::string where = "byte " + std::to_string(i) + " (line " + std::to_string(line) + ", column " +
                        std::to_string(i - line_start + 1) + ")";
    if (i == actual.size()) return rejected("output ends at " + where + "; expected more: " + quote(expected.substr(i)));
    if (i == expected.size()) return rejected("extra output at " + where + ": " + quote(actual.substr(i)));
    return rejected("differs at " + where + ": expected " + quote(expected.substr(i)) + ", got " +
                    quote(actual.substr(i)));
}

// ---- lines (Judge0) --------------------------------------------------------

// Judge0 strips what Ruby's rstrip strips, which includes NUL.
bool is_line_space(char c) { return is_space(c) || c == '\0'; }

std::vector<std::string_view> judge0_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        while (!line.empty() && is_line_space(line.back())) line.remove_suffix(1);
        lines.push_back(line);
        start = end + 1;
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
}

CompareOutcome compare_lines(std::string_view expected, std::string_view actual, bool case_sensitive) {
    auto want = judge0_lines(expected);
    auto got = judge0_lines(actual);
    std::size_t n = std::min(want.size(), got.size());
    for (std::size_t i = 0; i < n; ++i)
        if (!same_text(want[i], got[i], case_sensitive))
            return rejected("line " + std::to_string(i + 1) + ": expected " + quote(want[i]) +
                            ", got " + quote(got[i]));
    if (got.size() < want.size())
        return rejected("output has " + std::to_string(got.size()) + " lines, expected " +
                        std::to_string(want.size()) + "; line " + std::to_string(n + 1) +
                        " should be " + quote(want[n]));
    if (got.size() > want.size())
        return rejected("extra output from line " + std::to_string(n + 1) + ": " + quote(got[n]));
    return accepted();
}

// ---- tokens and floats (Kattis default validator) --------------------------

struct Cursor {
    std::string_view text;
    std::size_t pos = 0;
    std::size_t line = 1;

    std::string_view take_space() {
        std::size_t start = pos;
        while (pos < text.size() && is_space(text[pos])) {
            if (text[pos] == '\n') ++line;
            ++pos;
        }
        return text.substr(start, pos - start);
    }
    std::string_view take_token() {
        std::size_t start = pos;
        while (pos < text.size() && !is_space(text[pos])) ++pos;
        return text.substr(start, pos - start);
    }
};

struct Tolerance {
    bool use_floats = false;
    double absolute = -1;  // negative: this tolerance accepts nothing
    double relative = -1;
};

std::string tolerance_text(const Tolerance& t) {
    std::string out;
    if (t.absolute >= 0) out += "absolute " + number_text(t.absolute);
    if (t.relative >= 0) out += std::string(out.empty() ? "" : " and ") + "relative " + number_text(t.relative);
    return out;
}

CompareOutcome compare_tokens(std::string_view expected, std::string_view actual,
                              const CompareOptions& options, const Tolerance& tolerance) {
    Cursor judge{expected}, user{actual};
    for (std::size_t token = 1;; ++token) {
        std::size_t user_line = user.line;
        std::string_view judge_space = judge.take_space();
        std::string_view user_space = user.take_space();
        if (options.space_change_sensitive && judge_space != user_space)
            return rejected("line " + std::to_string(user_line) + ": whitespace differs before token " +
                            std::to_string(token) + ": expected " + quote(judge_space) + ", got " +
                            quote(user_space));
        std::string_view want = judge.take_token();
        std::string_view got = user.take_token();
        if (want.empty()) {
            if (got.empty()) return accepted();
            return rejected("line " + std::to_string(user.line) + ": extra output: " + quote(got));
        }
        std::string where = "line " + std::to_string(user.line) + ", token " + std::to_string(token);
        if (got.empty())
            return rejected(actual.empty() ? "output is empty; expected " + quote(want)
                                           : where + ": output ended; expected " + quote(want));
        double want_value = 0, got_value = 0;
        if (tolerance.use_floats && parse_decimal(want, want_value)) {
            if (!parse_decimal(got, got_value))
                return rejected(where + ": expected the number " + quote(want) + ", got " + quote(got));
            double difference = std::fabs(want_value - got_value);
            bool within = difference <= tolerance.absolute ||
                          difference <= tolerance.relative * std::fabs(want_value);
            if (!within)
                return rejected(where + ": expected " + quote(want) + ", got " + quote(got) +
                                " (difference " + number_text(difference) + " is beyond " +
                                tolerance_text(tolerance) + " tolerance)");
        } else if (!same_text(want, got, options.case_sensitive)) {
            return rejected(where + ": expected " + quote(want) + ", got " + quote(got));
        }
    }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool parse_decimal(std::string_view token, double& value) {
    std::size_t i = 0;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    std::size_t int_digits = 0, frac_digits = 0;
    while (i < token.size() && is_digit(token[i])) ++i, ++int_digits;
    if (i < token.size() && token[i] == '.') {
        ++i;
        while (i < token.size() && is_digit(token[i])) ++i, ++frac_digits;
    }
    if (int_digits + frac_digits == 0) return false;
    if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
        ++i;
        if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
        std::size_t exp_digits = 0;
        while (i < token.size() && is_digit(token[i])) ++i, ++exp_digits;
        if (exp_digits == 0) return false;
    }
    if (i != token.size()) return false;
    // strtod in the C locale (the library never calls setlocale): '.' is the point.
    std::string copy(token);
    double v = std::strtod(copy.c_str(), nullptr);
    if (!std::isfinite(v)) return false;  // overflow: "1e999" is text, like Kattis
    value = v;
    return true;
}

CompareOutcome compare_output(std::string_view expected, std::string_view actual,
                              const CompareOptions& options) {
    switch (options.mode) {
        case CompareMode::exact: return compare_exact(expected, actual, options.case_sensitive);
        case CompareMode::lines: return compare_lines(expected, actual, options.case_sensitive);
        case CompareMode::tokens: return compare_tokens(expected, actual, options, Tolerance{});
        case CompareMode::floats: {
            Tolerance t{true, -1, -1};
            if (!options.float_absolute_tolerance && !options.float_relative_tolerance) {
                t.absolute = t.relative = kDefaultFloatTolerance;
            } else {
                if (options.float_absolute_tolerance) t.absolute = *options.float_absolute_tolerance;
                if (options.float_relative_tolerance) t.relative = *options.float_relative_tolerance;
            }
            return compare_tokens(expected, actual, options, t);
        }
        case CompareMode::checker: break;
    }
    return rejected("comparison mode 'checker' needs the checker program");
}

}  // namespace ringfence::judge
