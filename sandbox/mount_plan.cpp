#include "mount_plan.hpp"

#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

namespace ringfence {
namespace {

// procfs entries a program has no business reading, covered like runc and
// go-judge do: files get /dev/null on top, directories an empty read-only tmpfs.
constexpr const char* kMaskedProcFiles[] = {
    "kcore", "keys", "key-users", "timer_list", "sched_debug", "sysrq-trigger", "latency_stats",
    "kallsyms", "kmsg", "kpagecount", "kpageflags", "kpagecgroup", "config.gz", "vmallocinfo"};
constexpr const char* kMaskedProcDirs[] = {"acpi", "scsi", "irq", "bus", "driver", "fs", "tty"};
constexpr const char* kDevices[] = {"null", "zero", "full", "random", "urandom"};

constexpr std::uint64_t kReadOnly = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

class Planner {
public:
    explicit Planner(const MountPlanOptions& options) : options_(options) {
        plan_.staging = options.staging;
    }

    std::string at(const std::string& inside) const { return plan_.staging + inside; }
    std::string host(const std::string& path) const { return options_.host_root + path; }

    void make_parents(const std::string& inside) {
        for (std::size_t i = 1; i < inside.size(); ++i)
            if (inside[i] == '/') make_dir(inside.substr(0, i), 0755);
    }
    void make_dir(const std::string& inside, unsigned mode) {
        if (inside.empty() || inside == "/" || !dirs_.insert(inside).second) return;
        make_parents(inside);
        add({MountOp::Kind::make_dir, at(inside), {}, 0, 0, false, mode});
    }
    void add(MountOp op) { plan_.ops.push_back(std::move(op)); }

    void tmpfs(const std::string& inside, const std::string& options, unsigned long flags) {
        make_dir(inside, 0755);
        add({MountOp::Kind::tmpfs, at(inside), options, flags});
    }

    Result<void> profile_mount(const MountEntry& m) {
        struct stat st {};
        if (lstat(host(m.source).c_str(), &st) != 0) {
            if (m.optional) return {};
            return setup_error("mount source " + m.source + " does not exist on this host", errno);
        }
        if (S_ISLNK(st.st_mode) && m.source == m.target) {
            // Debian's merged /usr makes /lib, /bin... symlinks; recreate them rather than bind.
            char buf[4096];
            ssize_t n = readlink(host(m.source).c_str(), buf, sizeof(buf) - 1);
            if (n < 0) return setup_error("readlink " + m.source, errno);
            make_parents(m.target);
            add({MountOp::Kind::symlink, at(m.target), std::string(buf, static_cast<std::size_t>(n))});
            return {};
        }
        if (stat(host(m.source).c_str(), &st) != 0) {
            if (m.optional) return {};
            return setup_error("mount source " + m.source + " is a dangling link", errno);
        }
        if (S_ISDIR(st.st_mode)) {
            make_dir(m.target, 0755);
        } else {
            make_parents(m.target);
            add({MountOp::Kind::make_file, at(m.target), {}, 0, 0, false, 0644});
        }
        add({MountOp::Kind::bind, at(m.target), host(m.source)});
        add({MountOp::Kind::set_attr, at(m.target), {}, 0, kReadOnly, true});
        return {};
    }

    void proc() {
        make_dir("/proc", 0555);
        add({MountOp::Kind::proc, at("/proc"), "hidepid=2", MS_NOSUID | MS_NODEV | MS_NOEXEC});
        struct stat st {};
        for (const char* f : kMaskedProcFiles)
            if (stat(host(std::string("/proc/") + f).c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
                add({MountOp::Kind::bind, at(std::string("/proc/") + f), host("/dev/null")});
        for (const char* d : kMaskedProcDirs)
            if (stat(host(std::string("/proc/") + d).c_str(), &st) == 0 && S_ISDIR(st.st_mode))
                add({MountOp::Kind::tmpfs, at(std::string("/proc/") + d), "size=4k,nr_inodes=1,mode=0555",
                     MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY});
        add({MountOp::Kind::set_attr, at("/proc"), {}, 0,
             kReadOnly | MOUNT_ATTR_NOEXEC, true});
    }

    void dev() {
        tmpfs("/dev", "size=64k,nr_inodes=64,mode=0755", MS_NOSUID | MS_NOEXEC | MS_NODEV);
        for (const char* d : kDevices) {
            std::string inside = std::string("/dev/") + d;
            add({MountOp::Kind::make_file, at(inside), {}, 0, 0, false, 0666});
            add({MountOp::Kind::bind, at(inside), host(inside)});
        }
        // Device nodes need their mounts without nodev; nosuid and noexec still apply,
        // set on all five at once (before /dev/shm, which keeps exec).
        add({MountOp::Kind::set_attr, at("/dev"), {}, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, true});
        add({MountOp::Kind::symlink, at("/dev/fd"), "/proc/self/fd"});
        add({MountOp::Kind::symlink, at("/dev/stdin"), "/proc/self/fd/0"});
        add({MountOp::Kind::symlink, at("/dev/stdout"), "/proc/self/fd/1"});
        add({MountOp::Kind::symlink, at("/dev/stderr"), "/proc/self/fd/2"});
        tmpfs("/dev/shm", size_option() + ",mode=1777", MS_NOSUID | MS_NODEV);
        add({MountOp::Kind::set_attr, at("/dev"), {}, 0, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                                             MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
             false});
    }

    std::string size_option() const {
        return "size=" + std::to_string(options_.box_size_kib) + "k,nr_inodes=" +
               std::to_string(std::max<std::uint64_t>(options_.box_size_kib / 4, 1024));
    }

    MountPlan take() { return std::move(plan_); }

private:
    const MountPlanOptions& options_;
    MountPlan plan_;
    std::set<std::string> dirs_;
};

}  // namespace

Result<MountPlan> plan_mounts(const SecurityProfile& profile, const MountPlanOptions& options) {
    if (options.staging.empty() || options.staging[0] != '/')
        return internal_error("mount plan needs an absolute staging directory");
    Planner p(options);
    // The root tmpfs holds only mount points and the profile's small files.
    p.add({MountOp::Kind::tmpfs, options.staging, "size=1m,nr_inodes=4096,mode=0755",
           MS_NOSUID | MS_NODEV});
    for (const auto& m : profile.mounts)
        if (auto r = p.profile_mount(m); !r) return r.error();
    for (const auto& [path, content] : profile.files) {
        p.make_parents(path);
        p.add({MountOp::Kind::write_file, p.at(path), content, 0, 0, false, 0644});
    }
    p.dev();
    p.proc();
    p.tmpfs("/tmp", p.size_option() + ",mode=1777", MS_NOSUID | MS_NODEV);
    p.tmpfs("/box",
            p.size_option() + ",mode=0755,uid=" + std::to_string(kSandboxUid) +
                ",gid=" + std::to_string(kSandboxGid),
            MS_NOSUID | MS_NODEV);
    MountPlan plan = p.take();
    plan.writable_dirs = {"/box", "/tmp", "/dev/shm"};
    return plan;
}

}  // namespace ringfence
