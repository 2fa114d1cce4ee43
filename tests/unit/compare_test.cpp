// Every built-in comparison mode against hand-made cases, edge cases included
// (JOB_SCHEMA.md "Comparison" states the rules these check).
#include <doctest/doctest.h>

#include <string>

#include "compare.hpp"

using namespace ringfence;
using ringfence::judge::compare_output;
using ringfence::judge::parse_decimal;

namespace {

CompareOptions mode(CompareMode m) {
    CompareOptions o;
    o.mode = m;
    return o;
}

CompareOptions floats(std::optional<double> absolute, std::optional<double> relative) {
    CompareOptions o = mode(CompareMode::floats);
    o.float_absolute_tolerance = absolute;
    o.float_relative_tolerance = relative;
    return o;
}

bool same(const std::string& expected, const std::string& actual, const CompareOptions& o) {
    return compare_output(expected, actual, o).accepted;
}

}  // namespace

TEST_CASE("exact: byte for byte") {
    auto o = mode(CompareMode::exact);
    CHECK(same("3\n", "3\n", o));
    CHECK(same("", "", o));
    CHECK_FALSE(same("3\n", "3", o));        // missing trailing newline
    CHECK_FALSE(same("3", "3\n", o));        // extra newline
    CHECK_FALSE(same("3\n", "3 \n", o));     // trailing space
    CHECK_FALSE(same("3\n", "3\r\n", o));    // CRLF
    CHECK_FALSE(same("a\n", "A\n", o));
    CHECK_FALSE(same("3\n", "", o));         // empty output
    CHECK_FALSE(same("", "x", o));           // extra output
    CHECK(same(std::string("a\0b", 3), std::string("a\0b", 3), o));
    CHECK_FALSE(same(std::string("a\0b", 3), "a", o));
    o.case_sensitive = false;
    CHECK(same("Yes\n", "YES\n", o));
    CHECK_FALSE(same("Yes\n", "YES \n", o));
}

TEST_CASE("exact: messages say where") {
    auto o = mode(CompareMode::exact);
    auto r = compare_output("ab\ncd\n", "ab\ncx\n", o);
    CHECK_FALSE(r.accepted);
    CHECK(r.message.find("line 2, column 2") != std::string::npos);
    CHECK(compare_output("abc", "ab", o).message.find("expected more") != std::string::npos);
    CHECK(compare_output("ab", "abc", o).message.find("extra output") != std::string::npos);
}

TEST_CASE("lines: Judge0's rule") {
    auto o = mode(CompareMode::lines);
    CHECK(same("3\n", "3\n", o));
    CHECK(same("3\n", "3", o));                    // missing trailing newline
    CHECK(same("3", "3\n\n\n", o));                // trailing empty lines
    CHECK(same("3\n", "3   \t\n", o));             // trailing whitespace on the line
    CHECK(same("1 2\n3\n", "1 2 \r\n3\r\n", o));   // CRLF line ends
    CHECK(same("3\n", "3\n   \n\t\n", o));         // trailing whitespace-only lines
    CHECK(same("", "", o));
    CHECK(same("", "\n \n", o));                   // empty output, blank lines only
    CHECK(same(std::string("3\0\n", 3), "3\n", o));  // Ruby's rstrip strips NUL too
    CHECK_FALSE(same("3\n", " 3\n", o));           // leading whitespace counts
    CHECK_FALSE(same("1\n2\n", "1\n\n2\n", o));    // inner blank line counts
    CHECK_FALSE(same("1 2\n", "1  2\n", o));       // inner spacing counts
    CHECK_FALSE(same("1\n2\n", "1 2\n", o));       // line structure counts
    CHECK_FALSE(same("3\n", "", o));               // empty output
    CHECK_FALSE(same("3\n", "3\n4\n", o));         // extra output
    CHECK_FALSE(same("a\n", "A\n", o));
    o.case_sensitive = false;
    CHECK(same("Yes\n", "yES\n", o));
}

TEST_CASE("lines: messages name the line") {
    auto o = mode(CompareMode::lines);
    auto r = compare_output("1\n2\n3\n", "1\n2\n4\n", o);
    CHECK(r.message.find("line 3") != std::string::npos);
    CHECK(r.message.find("\"3\"") != std::string::npos);
    CHECK(r.message.find("\"4\"") != std::string::npos);
    CHECK(compare_output("1\n2\n", "1\n", o).message.find("has 1 lines, expected 2") != std::string::npos);
    CHECK(compare_output("1\n", "1\nx\n", o).message.find("extra output from line 2") != std::string::npos);
}

TEST_CASE("tokens: whitespace-insensitive") {
    auto o = mode(CompareMode::tokens);
    CHECK(same("1 2 3\n", "1\n2\n3", o));
    CHECK(same("1 2 3\n", "  1 \t 2\r\n3  \n\n", o));
    CHECK(same("", "", o));
    CHECK(same("", " \n\t ", o));                  // whitespace only is empty output
    CHECK(same("A B", " A  B \t\n", o));
    CHECK_FALSE(same("A B", "A B X", o));          // extra output
    CHECK_FALSE(same("A B", "X A B", o));
    CHECK_FALSE(same("A B", "A", o));              // missing output
    CHECK_FALSE(same("A B", "", o));               // empty output
    CHECK_FALSE(same("", "0", o));
    CHECK_FALSE(same("12", "1 2", o));             // tokens are not concatenated
    CHECK_FALSE(same("1.0", "1", o));              // tokens mode: numbers are text
    CHECK_FALSE(same("0", "-0", o));
    CHECK_FALSE(same("yes", "YES", o));
    o.case_sensitive = false;
    CHECK(same("yes", "YES", o));
    CHECK(compare_output("a b", "a", mode(CompareMode::tokens)).message.find("output ended") != std::string::npos);
    CHECK(compare_output("a", "", mode(CompareMode::tokens)).message.find("output is empty") != std::string::npos);
    CHECK(compare_output("a", "a b", mode(CompareMode::tokens)).message.find("extra output") != std::string::npos);
}

TEST_CASE("tokens: space_change_sensitive makes whitespace exact") {
    auto o = mode(CompareMode::tokens);
    o.space_change_sensitive = true;
    CHECK(same("", "", o));
    CHECK(same("1 2\n", "1 2\n", o));
    CHECK_FALSE(same("", "\n", o));
    CHECK_FALSE(same("", " ", o));
    CHECK_FALSE(same("1 2\n", "1  2\n", o));
    CHECK_FALSE(same("1 2\n", "1 2", o));          // missing trailing newline
    CHECK_FALSE(same("1 2\n", "1 2\n\n", o));      // extra trailing newline
    CHECK_FALSE(same("1 2\n", "1\t2\n", o));
    CHECK_FALSE(same("1 2\n", " 1 2\n", o));
    CHECK(compare_output("1 2", "1  2", o).message.find("whitespace differs") != std::string::npos);
}

TEST_CASE("floats: a token matches if either tolerance accepts") {
    auto both = floats(1e-6, 1e-6);
    CHECK(same("0.05", "0.0500009", both));        // absolute 1e-6
    CHECK_FALSE(same("0.05", "0.0500011", both));
    CHECK(same("50", "49.99996", both));           // relative 1e-6 * 50 = 5e-5
    CHECK_FALSE(same("50", "49.9999", both));
    CHECK(same("17", "17.000000", both));          // any reasonable format
    CHECK(same("17", "0.17e2", both));
    CHECK(same("17", "1.7E+1", both));
    CHECK(same("1.5 2.5\n", "1.5000001\n2.4999999", both));
    auto absolute_only = floats(0.1, std::nullopt);
    CHECK(same("1000", "1000.09", absolute_only));
    CHECK_FALSE(same("1000", "1000.2", absolute_only));   // relative disabled
    auto relative_only = floats(std::nullopt, 0.01);
    CHECK(same("1000", "1009", relative_only));
    CHECK_FALSE(same("1000", "1011", relative_only));
    CHECK_FALSE(same("0", "1e-300", relative_only));      // relative to 0 accepts only 0
    CHECK(same("0", "0.0", relative_only));
    auto exact_numbers = floats(0.0, 0.0);
    CHECK(same("2.5", "2.50", exact_numbers));
    CHECK_FALSE(same("2.5", "2.5000001", exact_numbers));
}

TEST_CASE("floats: default tolerance when the job gives none") {
    auto o = floats(std::nullopt, std::nullopt);
    CHECK(same("1", "1.0000009", o));
    CHECK_FALSE(same("1", "1.00001", o));
}

TEST_CASE("floats: tokens that are not numbers compare as text") {
    auto o = floats(1e-6, 1e-6);
    CHECK(same("yes 1.0", "yes 1", o));
    CHECK_FALSE(same("yes 1.0", "no 1", o));
    CHECK_FALSE(same("Yes", "yes", o));
    o.case_sensitive = false;
    CHECK(same("Yes 2", "yes 2.0000001", o));
    // The judge's number wants a number: text in its place is wrong.
    auto r = compare_output("1.5", "abc", floats(1e-6, 1e-6));
    CHECK_FALSE(r.accepted);
    CHECK(r.message.find("expected the number") != std::string::npos);
}

TEST_CASE("floats: NaN, infinity, -0, huge exponents") {
    auto o = floats(1e-6, 1e-6);
    // -0 and 0 are the same number.
    CHECK(same("0", "-0", o));
    CHECK(same("-0.0", "0", o));
    // NaN is never a number: a judge "nan" is text, a user "nan" never matches a number.
    CHECK(same("nan", "nan", o));
    CHECK_FALSE(same("nan", "NaN", o));
    CHECK_FALSE(same("1.0", "nan", o));
    CHECK_FALSE(same("1.0", "NaN", o));
    // Infinity likewise: text only, and never close to a finite number.
    CHECK(same("inf", "inf", o));
    CHECK_FALSE(same("inf", "1e999", o));
    CHECK_FALSE(same("1e308", "inf", o));
    CHECK_FALSE(same("1.0", "infinity", o));
    // Values that overflow a double are text, like Kattis.
    CHECK(same("1e999", "1e999", o));
    CHECK_FALSE(same("1e999", "1E999", o));
    CHECK_FALSE(same("1e308", "1e309", o));
    // Large but finite values compare as numbers, relative tolerance applies.
    CHECK(same("1e308", "1.0000005e308", o));
    CHECK_FALSE(same("1e308", "-1e308", o));        // the difference overflows: rejected
    CHECK_FALSE(same("1.7e308", "-1.7e308", o));
    // Tiny values underflow to (nearly) zero and are numbers.
    CHECK(same("0", "1e-400", o));
    CHECK(same("1e-320", "0", o));
    // Hexadecimal is not decimal notation.
    CHECK_FALSE(same("8", "0x8", o));
    CHECK_FALSE(same("8", "0x1p3", o));
}

TEST_CASE("floats: empty output, missing newline, extra output") {
    auto o = floats(1e-6, 1e-6);
    CHECK(same("1.5\n", "1.5", o));
    CHECK_FALSE(same("1.5\n", "", o));
    CHECK_FALSE(same("1.5\n", "1.5 2.5", o));
    CHECK(same("", "", o));
    o.space_change_sensitive = true;
    CHECK_FALSE(same("1.5\n", "1.5", o));
    CHECK(same("1.5\n", "1.5000001\n", o));
}

TEST_CASE("floats: messages report the difference") {
    auto r = compare_output("1 2 3", "1 2 4", floats(1e-6, std::nullopt));
    CHECK_FALSE(r.accepted);
    CHECK(r.message.find("token 3") != std::string::npos);
    CHECK(r.message.find("difference 1") != std::string::npos);
    CHECK(r.message.find("absolute 1e-06") != std::string::npos);
}

TEST_CASE("parse_decimal accepts decimal notation only") {
    double v = 0;
    CHECK(parse_decimal("12", v));
    CHECK(v == 12);
    CHECK(parse_decimal("-1.5e3", v));
    CHECK(v == -1500);
    CHECK(parse_decimal("+.5", v));
    CHECK(v == 0.5);
    CHECK(parse_decimal("5.", v));
    CHECK(v == 5);
    CHECK(parse_decimal("1E-2", v));
    CHECK_FALSE(parse_decimal("", v));
    CHECK_FALSE(parse_decimal(".", v));
    CHECK_FALSE(parse_decimal("-", v));
    CHECK_FALSE(parse_decimal("1e", v));
    CHECK_FALSE(parse_decimal("1e+", v));
    CHECK_FALSE(parse_decimal("1.2.3", v));
    CHECK_FALSE(parse_decimal("12abc", v));
    CHECK_FALSE(parse_decimal("nan", v));
    CHECK_FALSE(parse_decimal("inf", v));
    CHECK_FALSE(parse_decimal("0x10", v));
    CHECK_FALSE(parse_decimal("1e400", v));
    CHECK_FALSE(parse_decimal("1,5", v));
}

TEST_CASE("large outputs compare in linear time") {
    std::string big;
    for (int i = 0; i < 200'000; ++i) big += std::to_string(i) + "\n";
    CHECK(same(big, big, mode(CompareMode::lines)));
    CHECK(same(big, big, mode(CompareMode::tokens)));
    CHECK(same(big, big, floats(1e-9, 1e-9)));
    std::string changed = big;
    changed[changed.size() - 3] = 'x';
    CHECK_FALSE(same(big, changed, mode(CompareMode::lines)));
}
