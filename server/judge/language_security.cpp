// Security profiles of a language: its base profile plus what the language
// adds (mounts, syscalls by group or by name).
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "languages.hpp"

namespace ringfence::judge {
namespace {

constexpr int kMaxGroupDepth = 8;

void add_unique(std::vector<std::string>& into, const std::vector<std::string>& items) {
    for (const auto& item : items)
        if (std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
}

// The object mapping group names to syscall lists: the document itself or its "groups" member.
const nlohmann::json* groups_object(const nlohmann::json& document) {
    if (!document.is_object()) return nullptr;
    auto it = document.find("groups");
    if (it != document.end() && it->is_object()) return &*it;
    return &document;
}

Result<void> expand_group(const nlohmann::json& groups, const std::string& name, int depth,
                          std::set<std::string>& seen, std::vector<std::string>& out) {
    if (depth > kMaxGroupDepth) return input_error("syscall group @" + name + " nests too deeply");
    if (!seen.insert(name).second) return {};
    auto it = groups.find(name);
    if (it == groups.end()) return input_error("unknown syscall group \"" + name + "\"");
    const nlohmann::json* list = &*it;
    if (list->is_object() && list->contains("syscalls")) list = &(*list)["syscalls"];
    if (!list->is_array()) return input_error("syscall group \"" + name + "\" is not a list");
    for (const auto& item : *list) {
        if (!item.is_string()) return input_error("syscall group \"" + name + "\" holds a non-string");
        const auto& call = item.get_ref<const std::string&>();
        if (!call.empty() && call[0] == '@') {
            auto nested = expand_group(groups, call.substr(1), depth + 1, seen, out);
            if (!nested) return nested;
        } else {
            out.push_back(call);
        }
    }
    return {};
}

}  // namespace

Result<std::vector<std::string>> expand_syscall_groups(const std::string& groups_json,
                                                       const std::vector<std::string>& groups) {
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(groups_json);
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number out of range
        return input_error(std::string("seccomp/groups.json is not valid JSON: ") + e.what());
    }
    const nlohmann::json* object = groups_object(document);
    if (!object) return input_error("seccomp/groups.json is not an object");
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& group : groups) {
        std::string name = (!group.empty() && group[0] == '@') ? group.substr(1) : group;
        auto expanded = expand_group(*object, name, 0, seen, out);
        if (!expanded) return expanded.error();
    }
    std::vector<std::string> unique;
    add_unique(unique, out);
    return unique;
}

SecurityProfile merge_security(const SecurityProfile& base, const SandboxNeeds& needs,
                               const std::vector<std::string>& group_syscalls, const std::string& name) {
    SecurityProfile merged = base;
    merged.name = name;
    for (const auto& mount : needs.extra_mounts) {
        auto same_target = [&](const MountEntry& m) { return m.target == mount.target; };
        auto it = std::find_if(merged.mounts.begin(), merged.mounts.end(), same_target);
        if (it != merged.mounts.end()) *it = mount;
        else merged.mounts.push_back(mount);
    }
    add_unique(merged.syscalls, group_syscalls);
    add_unique(merged.syscalls, needs.extra_syscalls);
    return merged;
}

}  // namespace ringfence::judge
