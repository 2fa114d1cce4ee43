#include "modules.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "unique_fd.hpp"

namespace ringfence::vm::guest {

std::string module_name(const std::string& path) {
    std::string base = path.substr(path.find_last_of('/') + 1);
    for (const char* ext : {".ko.xz", ".ko.zst", ".ko.gz", ".ko"}) {
        const std::string e(ext);
        if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0) {
            base.resize(base.size() - e.size());
            break;
        }
    }
    for (auto& c : base)
        if (c == '-') c = '_';
    return base;
}

Result<std::vector<std::string>> module_load_order(const std::string& modules_dep,
                                                   const std::vector<std::string>& wanted) {
    // "kernel/a/b.ko: kernel/c.ko kernel/d.ko" per line.
    std::map<std::string, std::pair<std::string, std::vector<std::string>>> by_name;  // name -> path, deps
    std::istringstream in(modules_dep);
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string path = line.substr(0, colon);
        std::vector<std::string> deps;
        std::istringstream rest(line.substr(colon + 1));
        for (std::string dep; rest >> dep;) deps.push_back(dep);
        by_name[module_name(path)] = {path, std::move(deps)};
    }
    std::vector<std::string> order;
    std::set<std::string> done, visiting;
    std::function<Result<void>(const std::string&)> visit = [&](const std::string& name) -> Result<void> {
        if (done.count(name)) return {};
        if (visiting.count(name)) return input_error("modules.dep: dependency cycle at " + name);
        const auto it = by_name.find(name);
        if (it == by_name.end()) return input_error("module " + name + " is not in modules.dep");
        visiting.insert(name);
        for (const auto& dep : it->second.second)
            if (auto r = visit(module_name(dep)); !r) return r;
        visiting.erase(name);
        done.insert(name);
        order.push_back(it->second.first);
        return {};
    };
    for (const auto& w : wanted)
        if (auto r = visit(module_name(w)); !r) return std::move(r).error();
    return order;
}

Result<void> load_modules(const std::string& dir, const std::vector<std::string>& paths) {
    for (const auto& rel : paths) {
        const std::string path = dir + "/" + rel;
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return setup_error("open module " + path, errno);
        if (::syscall(SYS_finit_module, fd.get(), "", 0) != 0 && errno != EEXIST)
            return setup_error("load module " + path, errno);
    }
    return {};
}

}  // namespace ringfence::vm::guest
