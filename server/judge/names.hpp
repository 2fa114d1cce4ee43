// File names that a job places inside /box. They end up as paths on the host
// (the compile workdir), so they are checked before anything is written.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ringfence::judge {

inline constexpr std::size_t kMaxNameBytes = 255;   // one path component
inline constexpr std::size_t kMaxPathBytes = 1024;  // the whole relative path
inline constexpr int kMaxPathDepth = 8;             // components

// Empty when `name` is a safe relative path: components separated by single
// '/', none empty, "." or "..", no NUL, no leading '/', within the caps above.
// Otherwise what is wrong with it, for an error message.
std::string check_relative_name(const std::string& name);

// The first clash among named entries ({name, field path}): two equal names, or
// one naming a directory the other needs ("a" and "a/b"). Empty names are
// skipped. Returns "PATH: problem", or empty when there is none.
std::string find_name_clash(const std::vector<std::pair<std::string, std::string>>& named);

// The first component ("data" for "data/x.txt").
std::string top_component(const std::string& name);

// Files the checker and interactor are given (or write) in /box; no source of
// theirs may take one of these names.
inline constexpr const char* kInputFile = "input.txt";
inline constexpr const char* kOutputFile = "output.txt";
inline constexpr const char* kAnswerFile = "answer.txt";
inline constexpr const char* kInteractorOutputFile = "tout.txt";
bool is_helper_file_name(const std::string& name);
// "input.txt, output.txt, answer.txt and tout.txt", for messages.
std::string helper_file_names();

}  // namespace ringfence::judge
