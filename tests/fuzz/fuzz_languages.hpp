// The languages the API fuzz targets validate against: Python (interpreted,
// with its Judge0 id and Piston names) and C++ (compiled).
#pragma once

#include <vector>

#include "ringfence/judge.hpp"

inline const std::vector<ringfence::LanguageInfo>& fuzz_languages() {
    static const std::vector<ringfence::LanguageInfo> languages = [] {
        ringfence::LanguageInfo py;
        py.id = "python3";
        py.available = true;
        py.version = "3.11.2";
        py.judge0_ids = {71};
        py.judge0_names = {"Python (3.8.1)"};
        py.piston_language = "python";
        py.piston_aliases = {"py"};
        ringfence::LanguageInfo cpp = py;
        cpp.id = "cpp17";
        cpp.compiled = true;
        cpp.judge0_ids = {54};
        cpp.judge0_names = {"C++ (GCC 9.2.0)"};
        cpp.piston_language = "c++";
        cpp.piston_aliases = {"cpp"};
        return std::vector<ringfence::LanguageInfo>{py, cpp};
    }();
    return languages;
}
