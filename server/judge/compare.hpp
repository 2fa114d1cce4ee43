// Built-in output comparison (every mode but `checker`). The exact rules, with
// the edge cases decided, are in JOB_SCHEMA.md ("Comparison"):
//   exact   byte for byte (ASCII case folded when case_sensitive is false)
//   lines   Judge0's rule: trailing whitespace of every line and trailing empty
//           lines ignored; leading whitespace and inner blank lines count
//   tokens  whitespace-separated tokens (Kattis default validator, no floats)
//   floats  tokens, numbers compared with an absolute or relative tolerance
//           (Kattis default validator semantics)
#pragma once

#include <string>
#include <string_view>

#include "ringfence/job.hpp"

namespace ringfence::judge {

struct CompareOutcome {
    bool accepted = false;
    std::string message;  // where and how the output differs; empty when accepted
};

// Tolerance used by floats mode when the job gives neither tolerance.
inline constexpr double kDefaultFloatTolerance = 1e-6;

CompareOutcome compare_output(std::string_view expected, std::string_view actual,
                              const CompareOptions& options);

// Whether a token is a number for floats mode: decimal notation only
// ([+-] digits [. digits] [e [+-] digits], digits on at least one side of the
// point) whose value is finite as a double. "nan", "inf", hexadecimal and
// overflowing values ("1e999") are not numbers; they compare as text.
bool parse_decimal(std::string_view token, double& value);

}  // namespace ringfence::judge
