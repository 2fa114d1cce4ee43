#include "names.hpp"

#include <iterator>

namespace ringfence::judge {

std::string check_relative_name(const std::string& name) {
    if (name.empty()) return "must not be empty";
    if (name.size() > kMaxPathBytes)
        return "longer than " + std::to_string(kMaxPathBytes) + " bytes";
    if (name.find('\0') != std::string::npos) return "must not contain a NUL character";
    if (name.front() == '/') return "must be a relative path (no leading '/')";
    int depth = 0;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('/', start);
        if (end == std::string::npos) end = name.size();
        std::string part = name.substr(start, end - start);
        if (part.empty()) return "must not contain empty path components ('//' or a trailing '/')";
        if (part == "." || part == "..") return "must not contain '.' or '..' components";
        if (part.size() > kMaxNameBytes)
            return "has a component longer than " + std::to_string(kMaxNameBytes) + " bytes";
        if (++depth > kMaxPathDepth)
            return "is nested deeper than " + std::to_string(kMaxPathDepth) + " directories";
        start = end + 1;
    }
    return {};
}

std::string find_name_clash(const std::vector<std::pair<std::string, std::string>>& named) {
    for (std::size_t i = 0; i < named.size(); ++i) {
        const auto& [name, path] = named[i];
        if (name.empty()) continue;
        for (std::size_t j = 0; j < i; ++j) {
            const auto& [other, other_path] = named[j];
            if (other.empty()) continue;
            bool clash = other == name || other.rfind(name + "/", 0) == 0 || name.rfind(other + "/", 0) == 0;
            if (clash) return path + ".name: \"" + name + "\" clashes with " + other_path + ".name";
        }
    }
    return {};
}

std::string top_component(const std::string& name) { return name.substr(0, name.find('/')); }

namespace {
constexpr const char* kHelperFiles[] = {kInputFile, kOutputFile, kAnswerFile, kInteractorOutputFile};
}  // namespace

bool is_helper_file_name(const std::string& name) {
    for (const char* taken : kHelperFiles)
        if (name == taken) return true;
    return false;
}

std::string helper_file_names() {
    std::string names;
    const std::size_t count = std::size(kHelperFiles);
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) names += i + 1 == count ? " and " : ", ";
        names += kHelperFiles[i];
    }
    return names;
}

}  // namespace ringfence::judge
