#include "boot.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <thread>

#include "modules.hpp"

namespace ringfence::vm::guest {
namespace {

Result<void> mount_fs(const char* source, const char* target, const char* type, unsigned long flags,
                      const char* data = nullptr) {
    ::mkdir(target, 0755);
    if (::mount(source, target, type, flags, data) != 0)
        return setup_error(std::string("mount ") + type + " on " + target, errno);
    return {};
}

// The in-guest launcher's cgroups: the unified (v2) hierarchy alone, the
// natural choice in a guest the project owns (no v1 controller is mounted, so
// memory, pids and cpu all bind to v2). Linux 6.1 cannot reset memory.peak;
// the launcher gives every sandbox a fresh group, so peaks stay per run.
// nsdelegate: a job's cgroup namespace root is a delegation boundary.
Result<void> mount_cgroups(const std::string& root) {
    constexpr unsigned long kFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    return mount_fs("cgroup2", root.c_str(), "cgroup2", kFlags, "nsdelegate");
}

}  // namespace

std::string read_small_file(const std::string& path) {
    std::string out;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0 && out.size() < (1 << 20))
        out.append(buf, static_cast<std::size_t>(n));
    return out;
}

std::uint64_t boottime_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_BOOTTIME, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1'000'000;
}

std::string kernel_arg(const std::string& cmdline, const std::string& key) {
    std::istringstream in(cmdline);
    for (std::string word; in >> word;)
        if (word.size() > key.size() && word.compare(0, key.size(), key) == 0 && word[key.size()] == '=')
            return word.substr(key.size() + 1);
    return {};
}

Result<void> tune_kernel() {
    // The job's memory limit is its cgroup's: let allocations beyond the
    // guest's (small) RAM succeed, so a memory bomb meets that limit as it
    // does on the host (memory_limit), instead of a failed malloc.
    UniqueFd fd(::open("/proc/sys/vm/overcommit_memory", O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), "1", 1) != 1) return setup_error("set vm.overcommit_memory", errno);
    return {};
}

Result<void> mount_early_filesystems() {
    constexpr unsigned long kPseudo = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (auto r = mount_fs("proc", "/proc", "proc", kPseudo); !r) return r;
    if (auto r = mount_fs("sysfs", "/sys", "sysfs", kPseudo); !r) return r;
    return mount_fs("devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755");
}

Result<void> load_listed_modules() {
    utsname u{};
    ::uname(&u);
    const std::string dir = std::string("/lib/modules/") + u.release;
    const std::string dep = read_small_file(dir + "/modules.dep");
    if (dep.empty()) return setup_error("no " + dir + "/modules.dep in the initramfs");
    std::vector<std::string> wanted;
    std::istringstream list(read_small_file(dir + "/" + kModulesList));
    for (std::string name; list >> name;) wanted.push_back(name);
    auto order = module_load_order(dep, wanted);
    if (!order) return setup_error(order.error().message);
    return load_modules(dir, order.value());
}

Result<void> switch_to_image_root(const std::string& fstype, std::chrono::milliseconds device_timeout) {
    const auto give_up = std::chrono::steady_clock::now() + device_timeout;
    struct stat st {};
    while (::stat(kRootDevice, &st) != 0) {
        if (std::chrono::steady_clock::now() > give_up)
            return setup_error(std::string(kRootDevice) + " did not appear (virtio-blk not found)");
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    // nosuid/nodev: the image holds toolchains, nothing that needs either.
    if (auto r = mount_fs(kRootDevice, "/newroot", fstype.c_str(), MS_RDONLY | MS_NOSUID | MS_NODEV); !r) return r;
    if (auto r = mount_fs("tmpfs", "/newroot/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"); !r) return r;
    if (auto r = mount_fs("tmpfs", "/newroot/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"); !r) return r;
    for (const char* m : {"/proc", "/sys", "/dev"}) {
        const std::string target = std::string("/newroot") + m;
        if (::mount(m, target.c_str(), nullptr, MS_MOVE, nullptr) != 0)
            return setup_error(std::string("move ") + m + " into the image root", errno);
    }
    if (auto r = mount_cgroups("/newroot/sys/fs/cgroup"); !r) return r;
    if (::chdir("/newroot") != 0) return setup_error("chdir /newroot", errno);
    if (::mount(".", "/", nullptr, MS_MOVE, nullptr) != 0) return setup_error("move the image root over /", errno);
    if (::chroot(".") != 0 || ::chdir("/") != 0) return setup_error("chroot into the image root", errno);
    return {};
}

Result<UniqueFd> open_named_port(const std::string& name, std::chrono::milliseconds timeout) {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (true) {
        std::string device;
        if (DIR* d = ::opendir("/sys/class/virtio-ports")) {
            while (dirent* e = ::readdir(d)) {
                if (e->d_name[0] == '.') continue;
                std::string port_name =
                    read_small_file(std::string("/sys/class/virtio-ports/") + e->d_name + "/name");
                while (!port_name.empty() && port_name.back() == '\n') port_name.pop_back();
                if (port_name == name) device = std::string("/dev/") + e->d_name;
            }
            ::closedir(d);
        }
        if (!device.empty()) {
            // The node appears before the port is ready for use: ENXIO until then.
            UniqueFd fd(::open(device.c_str(), O_RDWR | O_CLOEXEC | O_NOCTTY));
            if (fd) return fd;
            if (errno != ENXIO && errno != ENOENT) return setup_error("open " + device, errno);
        }
        if (std::chrono::steady_clock::now() > give_up)
            return setup_error("virtio-serial port '" + name + "' did not appear");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

}  // namespace ringfence::vm::guest
