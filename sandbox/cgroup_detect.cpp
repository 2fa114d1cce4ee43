// Picks the cgroup backend: v2 when it offers memory and pids, else v1 with
// memory, pids and cpuacct; only ever inside a `ringfence` subtree or the
// root the operator configured.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cgroup_backends.hpp"
#include "cgroup_detect.hpp"
#include "cgroup_files.hpp"

namespace ringfence::cgroup {

namespace {

constexpr const char* kSubtree = "ringfence";
constexpr const char* kV1Controllers[] = {"memory", "pids", "cpuacct"};

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view field) {
    auto octal = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size() && octal(field[i + 1]) &&
            octal(field[i + 2]) && octal(field[i + 3])) {
            out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                     (field[i + 3] - '0'));
            i += 3;
        } else {
            out += field[i];
        }
    }
    return out;
}

// Super options of a v1 mount: its controllers plus a few mount flags.
bool is_controller_option(const std::string& option) {
    for (const char* flag : {"rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode",
                             "none", "favordynmods"})
        if (option == flag) return false;
    return !option.empty() && option.find('=') == std::string::npos;
}

bool writable(const std::string& dir) {
    return ::access(dir.c_str(), W_OK | X_OK) == 0 &&
           ::access((dir + "/cgroup.procs").c_str(), W_OK) == 0;
}

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string missing_v1(const Mounts& m) {
    std::string missing;
    for (const char* c : kV1Controllers)
        if (!m.v1.count(c)) missing += std::string(missing.empty() ? "" : ", ") + c;
    return missing;
}

bool v2_offers_limits(const Mounts& m) {
    auto offered = v2_offered_controllers(m);
    return contains_word(offered, "memory") && contains_word(offered, "pids");
}

Result<std::unique_ptr<CgroupBackend>> use_v2_dir(const std::string& path, const DetectHost& host,
                                                  const std::string& source) {
    if (!is_dir(path)) {
        if (!host.privileged)
            return setup_error(source + " " + path + " does not exist; create it as root and "
                               "chown -R " + host.user + " it, or point " + source +
                               " at a delegated cgroup");
        if (auto r = ensure_dir(path); !r) return std::move(r).error();
    }
    if (!host.privileged && !writable(path))
        return setup_error(source + " " + path + " is not writable by " + host.user +
                           ": chown -R " + host.user + " " + path + " (or use a cgroup systemd "
                           "delegated to this user: Delegate=yes)");
    return make_cgroup_v2(path);
}

Result<std::unique_ptr<CgroupBackend>> use_v1_subtree(const Mounts& m, const std::string& relative,
                                                      const DetectHost& host,
                                                      const std::string& source) {
    std::string dirs[3];
    for (int i = 0; i < 3; ++i) {
        std::string path = m.v1.at(kV1Controllers[i]);
        // Create each missing component: all of them are inside the configured subtree.
        std::stringstream parts(relative);
        std::string part;
        while (std::getline(parts, part, '/')) {
            path += "/" + part;
            if (is_dir(path)) continue;
            if (!host.privileged)
                return setup_error(source + ": " + path + " does not exist; as root: mkdir -p " +
                                   path + " && chown -R " + host.user + " " + path);
            if (auto r = ensure_dir(path); !r) return std::move(r).error();
        }
        if (!host.privileged && !writable(path))
            return setup_error(source + ": " + path + " is not writable by " + host.user +
                               "; as root: chown -R " + host.user + " " + path);
        dirs[i] = path;
    }
    return make_cgroup_v1(dirs[0], dirs[1], dirs[2]);
}

Result<std::unique_ptr<CgroupBackend>> use_configured_root(const std::string& root,
                                                           const Mounts& m,
                                                           const std::string& fs_prefix,
                                                           const DetectHost& host,
                                                           const std::string& source) {
    if (root.front() == '/') {
        if (m.v2.empty())
            return input_error(source + " '" + root + "' is an absolute path, which names a cgroup "
                               "v2 directory, but no cgroup2 filesystem is mounted; for cgroup v1 "
                               "give a subtree name relative to each controller, e.g. 'ringfence'");
        std::string path = fs_prefix + root;
        while (path.size() > 1 && path.back() == '/') path.pop_back();
        if (path != m.v2 && path.rfind(m.v2 + "/", 0) != 0)
            return input_error(source + " '" + root + "' is not inside the cgroup v2 mount " +
                               m.v2.substr(fs_prefix.size()));
        return use_v2_dir(path, host, source);
    }
    std::stringstream parts(root);
    std::string part;
    while (std::getline(parts, part, '/'))
        if (auto r = validate_group_name(part); !r)
            return input_error(source + " '" + root + "': " + r.error().message);
    if (missing_v1(m).empty()) return use_v1_subtree(m, root, host, source);
    if (!m.v2.empty()) return use_v2_dir(m.v2 + "/" + root, host, source);
    return setup_error(source + " '" + root + "' given, but neither cgroup v2 nor the cgroup v1 "
                       "memory, pids and cpuacct controllers are mounted");
}

std::string no_cgroup_fix(const Mounts& m, const std::string& fs_prefix) {
    std::string v2 = m.v2.empty() ? "/sys/fs/cgroup" : m.v2.substr(fs_prefix.size());
    return "boot with systemd.unified_cgroup_hierarchy=1 so cgroup v2 offers memory and pids at " +
           v2 + ", or mount the missing cgroup v1 controllers (e.g. mount -t cgroup -o pids "
           "cgroup /sys/fs/cgroup/pids)";
}

Result<std::unique_ptr<CgroupBackend>> auto_privileged(const Mounts& m,
                                                       const std::string& fs_prefix) {
    std::string why_not_v2;
    if (m.v2.empty()) {
        why_not_v2 = "no cgroup2 filesystem is mounted";
    } else if (v2_offers_limits(m)) {
        auto mount = Dir::open(m.v2);
        if (!mount) return std::move(mount).error();
        if (auto r = enable_subtree_controllers(*mount); !r) return std::move(r).error();
        std::string subtree = m.v2 + "/" + kSubtree;
        if (auto r = ensure_dir(subtree); !r) return std::move(r).error();
        return make_cgroup_v2(subtree);
    } else {
        why_not_v2 = "cgroup v2 at " + m.v2.substr(fs_prefix.size()) + " offers only '" +
                     join_words(v2_offered_controllers(m)) + "' (memory and pids are needed)";
    }
    std::string missing = missing_v1(m);
    if (!missing.empty())
        return setup_error("no usable cgroups: " + why_not_v2 + ", and cgroup v1 lacks the " +
                           missing + " controller(s). Fix: " + no_cgroup_fix(m, fs_prefix));
    std::string dirs[3];
    for (int i = 0; i < 3; ++i) {
        dirs[i] = m.v1.at(kV1Controllers[i]) + "/" + kSubtree;
        if (auto r = ensure_dir(dirs[i]); !r) return std::move(r).error();
    }
    return make_cgroup_v1(dirs[0], dirs[1], dirs[2]);
}

Result<std::unique_ptr<CgroupBackend>> auto_rootless(const Mounts& m, const std::string& fs_prefix,
                                                     const DetectHost& host) {
    bool v2_host = !m.v2.empty() && v2_offers_limits(m);
    if (v2_host) {
        std::string subtree = m.v2 + "/" + kSubtree;
        if (is_dir(subtree) && writable(subtree)) return make_cgroup_v2(subtree);
    } else if (missing_v1(m).empty()) {
        bool all = true;
        for (const char* c : kV1Controllers) {
            std::string dir = m.v1.at(c) + "/" + kSubtree;
            all = all && is_dir(dir) && writable(dir);
        }
        if (all)
            return make_cgroup_v1(m.v1.at("memory") + "/" + kSubtree, m.v1.at("pids") + "/" +
                                  kSubtree, m.v1.at("cpuacct") + "/" + kSubtree);
    }
    std::string fix;
    if (v2_host) {
        std::string v2 = m.v2.substr(fs_prefix.size());
        fix = "run ringfence in a systemd unit with Delegate=yes (or `systemd-run --user -p "
              "Delegate=yes --scope ...`), make an empty child cgroup inside it and set "
              "RINGFENCE_CGROUP_ROOT to that directory; or, as root, `mkdir " + v2 +
              "/ringfence && chown -R " + host.user + " " + v2 + "/ringfence` and start ringfence "
              "inside that subtree; or run ringfence as root";
    } else if (missing_v1(m).empty()) {
        fix = "as root: `for c in memory pids cpuacct; do d=/sys/fs/cgroup/$c/ringfence; "
              "mkdir -p $d && chown -R " + host.user + " $d; done` (adjust the paths when "
              "controllers are co-mounted, e.g. cpu,cpuacct), or set RINGFENCE_CGROUP_ROOT to a "
              "writable subtree name, or run ringfence as root";
    } else {
        fix = no_cgroup_fix(m, fs_prefix);
    }
    return setup_error("no cgroup subtree is writable by " + host.user + " (running without root, "
                       "ringfence needs a delegated one). Fix: " + fix);
}

}  // namespace

Mounts parse_mountinfo(std::string_view text, const std::string& fs_prefix) {
    Mounts m;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream left(line.substr(0, dash)), right(line.substr(dash + 3));
        std::string id, parent, dev, root, mount_point, fstype, source, super_options;
        if (!(left >> id >> parent >> dev >> root >> mount_point)) continue;
        if (!(right >> fstype >> source >> super_options)) continue;
        std::string where = fs_prefix + unescape(mount_point);
        if (fstype == "cgroup2") {
            if (m.v2.empty()) m.v2 = where;
        } else if (fstype == "cgroup") {
            std::stringstream options(super_options);
            std::string option;
            while (std::getline(options, option, ','))
                if (is_controller_option(option)) m.v1.emplace(option, where);
        }
    }
    return m;
}

Result<Mounts> read_mounts(const std::string& fs_prefix) {
    std::string path = fs_prefix + "/proc/self/mountinfo";
    std::ifstream in(path);
    if (!in) return setup_error("cannot read " + path, errno);
    std::stringstream text;
    text << in.rdbuf();
    return parse_mountinfo(text.str(), fs_prefix);
}

std::string v2_offered_controllers(const Mounts& mounts) {
    if (mounts.v2.empty()) return {};
    auto dir = Dir::open(mounts.v2);
    if (!dir) return {};
    auto text = dir->read("cgroup.controllers");
    return text ? join_words(*text) : std::string();
}

DetectHost current_detect_host() {
    DetectHost host;
    host.privileged = ::geteuid() == 0;
    if (const char* env = std::getenv("RINGFENCE_CGROUP_ROOT")) host.env_root = env;
    struct passwd* pw = ::getpwuid(::geteuid());
    host.user = pw ? pw->pw_name : std::to_string(::geteuid());
    return host;
}

Result<std::unique_ptr<CgroupBackend>> detect_cgroups(const CgroupOptions& options,
                                                      const DetectHost& host) {
    auto mounts = read_mounts(options.fs_prefix);
    if (!mounts) return std::move(mounts).error();
    if (!options.root.empty())
        return use_configured_root(options.root, *mounts, options.fs_prefix, host,
                                   "the configured cgroup root");
    if (!host.env_root.empty())
        return use_configured_root(host.env_root, *mounts, options.fs_prefix, host,
                                   "RINGFENCE_CGROUP_ROOT");
    return host.privileged ? auto_privileged(*mounts, options.fs_prefix)
                           : auto_rootless(*mounts, options.fs_prefix, host);
}

}  // namespace ringfence::cgroup

namespace ringfence {

Result<std::unique_ptr<CgroupBackend>> detect_cgroups(const CgroupOptions& options) {
    return cgroup::detect_cgroups(options, cgroup::current_detect_host());
}

}  // namespace ringfence
