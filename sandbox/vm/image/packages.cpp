#include "packages.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "command.hpp"

namespace ringfence::vm::image {
namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

// "python3:any (>= 3.11~)" -> "python3"
std::string bare_name(const std::string& item) {
    std::string s = trim(item.substr(0, item.find('(')));
    s = s.substr(0, s.find(':'));
    return trim(s);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, sep);)
        if (!trim(part).empty()) out.push_back(part);
    return out;
}

}  // namespace

const char* const PackageDb::kQueryFormat =
    "${db:Status-Abbrev}\t${Package}\t${Architecture}\t${Depends}\t${Pre-Depends}\t${Provides}\n";

PackageDb PackageDb::parse(const std::string& output, const std::string& native_arch) {
    PackageDb db;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> f;
        std::stringstream ls(line);
        for (std::string field; std::getline(ls, field, '\t');) f.push_back(field);
        if (f.size() < 3 || f[0].rfind("ii", 0) != 0) continue;
        if (f[2] != native_arch && f[2] != "all") continue;  // foreign-architecture copies
        InstalledPackage p{f[1], f[2], {}, {}};
        for (std::size_t col : {3u, 4u}) {
            if (col >= f.size()) continue;
            for (const auto& group : split(f[col], ',')) {
                std::vector<std::string> alternatives;
                for (const auto& alt : split(group, '|')) alternatives.push_back(bare_name(alt));
                p.depends.push_back(std::move(alternatives));
            }
        }
        if (f.size() > 5)
            for (const auto& prov : split(f[5], ',')) p.provides.push_back(bare_name(prov));
        db.packages_[p.name] = p;
    }
    for (const auto& [name, p] : db.packages_)
        for (const auto& v : p.provides) db.providers_.emplace(v, name);
    return db;
}

Result<PackageDb> PackageDb::load() {
    auto arch = run_checked({"dpkg", "--print-architecture"});
    if (!arch) return std::move(arch).error();
    auto out = run_checked({"dpkg-query", "-W", std::string("-f=") + kQueryFormat});
    if (!out) return std::move(out).error();
    return parse(out.value(), trim(split(arch.value(), '\n').at(0)));
}

std::string PackageDb::resolve(const std::string& dependency) const {
    if (packages_.count(dependency)) return dependency;
    const auto it = providers_.find(dependency);
    return it == providers_.end() ? std::string{} : it->second;
}

Result<std::vector<std::string>> PackageDb::closure(const std::vector<std::string>& roots) const {
    std::set<std::string> seen;
    std::vector<std::string> pending;
    for (const auto& r : roots) {
        const std::string name = resolve(r);
        if (name.empty()) return input_error("package '" + r + "' is not installed on this host");
        pending.push_back(name);
    }
    while (!pending.empty()) {
        const std::string name = pending.back();
        pending.pop_back();
        if (!seen.insert(name).second) continue;
        for (const auto& alternatives : packages_.at(name).depends)
            for (const auto& alt : alternatives)
                if (const std::string dep = resolve(alt); !dep.empty()) {
                    pending.push_back(dep);
                    break;
                }
    }
    return std::vector<std::string>(seen.begin(), seen.end());
}

Result<std::vector<std::string>> PackageDb::files_of(const std::string& name, const std::string& info_dir) const {
    const auto it = packages_.find(name);
    if (it == packages_.end()) return input_error("package '" + name + "' is not installed");
    for (const std::string& file : {info_dir + "/" + name + ":" + it->second.arch + ".list",
                                    info_dir + "/" + name + ".list"}) {
        std::ifstream in(file);
        if (!in) continue;
        std::vector<std::string> paths;
        for (std::string line; std::getline(in, line);)
            if (!line.empty() && line != "/." ) paths.push_back(line);
        return paths;
    }
    return setup_error("no dpkg file list for package '" + name + "' in " + info_dir);
}

}  // namespace ringfence::vm::image
