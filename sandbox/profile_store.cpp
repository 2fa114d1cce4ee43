#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ringfence/profile.hpp"
#include "seccomp_policy.hpp"

namespace ringfence {
namespace embedded {
struct File {
    const char* path;
    const unsigned char* data;
    std::size_t size;
};
extern const File files[];
}  // namespace embedded

namespace {

using nlohmann::json;

bool valid_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                      c == '+' || c == '.';
           }) &&
           name.front() != '.';
}

Result<json> parse(const std::string& text, const std::string& what) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        return input_error(what + ": invalid JSON: " + e.what());
    }
}

// Applies one profile document on top of `profile` (empty, or its "extends" base).
Result<void> apply_document(const json& doc, const json& groups, SecurityProfile& profile) {
    static const std::set<std::string> known = {"name",    "extends",        "description", "mounts",
                                                "syscalls", "syscall_groups", "network",     "files"};
    if (!doc.is_object()) return input_error("a security profile must be a JSON object");
    for (const auto& [key, _] : doc.items())
        if (!known.count(key)) return input_error("unknown key '" + key + "'");
    try {
        if (doc.contains("name")) profile.name = doc.at("name").get<std::string>();
        if (doc.contains("description")) profile.description = doc.at("description").get<std::string>();
        if (doc.contains("network")) profile.network_allowed = doc.at("network").get<bool>();
        for (const auto& m : doc.value("mounts", json::array())) {
            MountEntry entry;
            entry.source = m.at("source").get<std::string>();
            entry.target = m.value("target", entry.source);
            entry.optional = m.value("optional", false);
            if (entry.source.empty() || entry.source[0] != '/' || entry.target.empty() ||
                entry.target[0] != '/' || entry.target.find("..") != std::string::npos)
                return input_error("mounts: source and target must be absolute paths without '..'");
            profile.mounts.push_back(std::move(entry));
        }
        for (const auto& g : doc.value("syscall_groups", json::array())) {
            auto name = g.get<std::string>();
            if (!groups.contains(name) || name.rfind('_', 0) == 0)
                return input_error("syscall_groups: unknown group '" + name + "'");
            for (const auto& s : groups.at(name)) profile.syscalls.push_back(s.get<std::string>());
        }
        for (const auto& s : doc.value("syscalls", json::array()))
            profile.syscalls.push_back(s.get<std::string>());
        const json files = doc.value("files", json::object());  // items() must not outlive it
        for (const auto& [path, content] : files.items()) {
            if (path.empty() || path[0] != '/' || path.find("..") != std::string::npos)
                return input_error("files: '" + path + "' must be an absolute path without '..'");
            profile.files[path] = content.get<std::string>();
        }
    } catch (const json::exception& e) {
        return input_error(std::string("wrong type: ") + e.what());
    }
    for (const auto& s : profile.syscalls)
        if (auto why = check_allowable(s); !why.empty()) return input_error("syscalls: " + why);
    std::sort(profile.syscalls.begin(), profile.syscalls.end());
    profile.syscalls.erase(std::unique(profile.syscalls.begin(), profile.syscalls.end()),
                           profile.syscalls.end());
    return {};
}

}  // namespace

ProfileStore::ProfileStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

Result<std::string> ProfileStore::read_text(const std::string& relative_path) const {
    if (relative_path.find("..") != std::string::npos || relative_path.empty() ||
        relative_path[0] == '/')
        return input_error("invalid profile path '" + relative_path + "'");
    if (!dir_.empty()) {
        std::ifstream in(dir_ / relative_path, std::ios::binary);
        if (in) {
            std::ostringstream out;
            out << in.rdbuf();
            return out.str();
        }
    }
    for (auto f = embedded::files; f->path; ++f)
        if (relative_path == f->path)
            return std::string(reinterpret_cast<const char*>(f->data), f->size);
    return input_error("no profile file '" + relative_path + "'");
}

std::vector<std::string> ProfileStore::list(const std::string& relative_dir) const {
    std::set<std::string> names;
    std::string prefix = relative_dir.empty() || relative_dir.back() == '/' ? relative_dir
                                                                             : relative_dir + "/";
    for (auto f = embedded::files; f->path; ++f) {
        std::string path = f->path;
        if (path.rfind(prefix, 0) == 0 && path.find('/', prefix.size()) == std::string::npos)
            names.insert(path.substr(prefix.size()));
    }
    std::error_code ec;
    if (!dir_.empty())
        for (const auto& e : std::filesystem::directory_iterator(dir_ / relative_dir, ec))
            if (e.is_regular_file()) names.insert(e.path().filename().string());
    return {names.begin(), names.end()};
}

std::vector<std::string> ProfileStore::security_names() const {
    std::vector<std::string> out;
    for (const auto& file : list("sandbox"))
        if (file.size() > 5 && file.ends_with(".json")) out.push_back(file.substr(0, file.size() - 5));
    return out;
}

Result<std::shared_ptr<const SecurityProfile>> ProfileStore::security(const std::string& name) const {
    if (!valid_name(name)) return input_error("invalid profile name '" + name + "'");
    auto groups_text = read_text("seccomp/groups.json");
    if (!groups_text) return groups_text.error();
    auto groups = parse(*groups_text, "seccomp/groups.json");
    if (!groups) return groups.error();

    // Resolve the "extends" chain, base first.
    std::vector<json> chain;
    for (std::string current = name; !current.empty();) {
        if (chain.size() > 8) return input_error("profile '" + name + "': extends chain too deep");
        auto text = read_text("sandbox/" + current + ".json");
        if (!text) return input_error("unknown security profile '" + current + "'");
        auto doc = parse(*text, "sandbox/" + current + ".json");
        if (!doc) return doc.error();
        current = doc->is_object() ? doc->value("extends", std::string()) : std::string();
        if (!current.empty() && !valid_name(current))
            return input_error("profile '" + name + "': invalid extends");
        chain.push_back(std::move(*doc));
    }
    SecurityProfile profile;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
        if (auto applied = apply_document(*it, *groups, profile); !applied)
            return input_error("security profile '" + name + "': " + applied.error().message);
    profile.name = name;
    return std::shared_ptr<const SecurityProfile>(std::make_shared<SecurityProfile>(std::move(profile)));
}

Result<SecurityProfile> parse_security_profile(const std::string& json_text,
                                               const std::string& groups_json) {
    auto doc = parse(json_text, "security profile");
    if (!doc) return doc.error();
    auto groups = parse(groups_json, "seccomp groups");
    if (!groups) return groups.error();
    if (doc->is_object() && doc->contains("extends"))
        return input_error("parse_security_profile does not resolve 'extends'; use ProfileStore");
    SecurityProfile profile;
    if (auto applied = apply_document(*doc, *groups, profile); !applied) return applied.error();
    return profile;
}

}  // namespace ringfence
