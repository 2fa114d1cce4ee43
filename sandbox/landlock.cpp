#include "landlock.hpp"

#include <fcntl.h>
#include <linux/landlock.h>

#include <cerrno>
#include <cstdint>

#include "syscalls.hpp"

namespace ringfence::landlock {
namespace {

// The distribution headers stop at ABI 2; the values below are kernel ABI and stable.
constexpr std::uint64_t kFsTruncate = 1ULL << 14;   // ABI 3
constexpr std::uint64_t kFsIoctlDev = 1ULL << 15;   // ABI 5
constexpr std::uint64_t kNetBindTcp = 1ULL << 0;    // ABI 4
constexpr std::uint64_t kNetConnectTcp = 1ULL << 1;  // ABI 4
constexpr std::uint64_t kScopeAbstractUnix = 1ULL << 0;  // ABI 6
constexpr std::uint64_t kScopeSignal = 1ULL << 1;        // ABI 6

struct RulesetAttr {
    std::uint64_t handled_access_fs;
    std::uint64_t handled_access_net;
    std::uint64_t scoped;
};

constexpr std::uint64_t kFsRead = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |
                                  LANDLOCK_ACCESS_FS_READ_DIR;
constexpr std::uint64_t kFsWrite =
    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM;

std::uint64_t handled_fs(int abi) {
    std::uint64_t access = kFsRead | kFsWrite | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                           LANDLOCK_ACCESS_FS_MAKE_BLOCK;
    if (abi >= 2) access |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) access |= kFsTruncate;
    if (abi >= 5) access |= kFsIoctlDev;
    return access;
}

int add_path_rule(int ruleset, const char* path, std::uint64_t access) {
    int fd = ::open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return -errno;
    landlock_path_beneath_attr rule{};
    rule.allowed_access = access;
    rule.parent_fd = fd;
    int rc = sys::landlock_add_rule(ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    int saved = errno;
    ::close(fd);
    return rc < 0 ? -saved : 0;
}

}  // namespace

int abi_version() noexcept {
    // Asked once per process: the kernel's answer cannot change while it runs,
    // and every sandbox init, a fork of the init server, inherits the answer.
    static const int abi = [] {
        int v = sys::landlock_create_ruleset(nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
        return v < 0 ? 0 : v;
    }();
    return abi;
}

int build_ruleset(const Paths& paths, bool allow_network) noexcept {
    int abi = abi_version();
    if (abi <= 0) return -ENOSYS;
    const std::uint64_t fs = handled_fs(abi);
    RulesetAttr attr{};
    attr.handled_access_fs = fs;
    std::size_t size = sizeof(std::uint64_t);
    if (abi >= 4) {
        attr.handled_access_net = allow_network ? 0 : (kNetBindTcp | kNetConnectTcp);
        size = 2 * sizeof(std::uint64_t);
    }
    if (abi >= 6) {
        attr.scoped = kScopeSignal | kScopeAbstractUnix;
        size = sizeof(RulesetAttr);
    }
    int ruleset = sys::landlock_create_ruleset(
        reinterpret_cast<const landlock_ruleset_attr*>(&attr), size, 0);
    if (ruleset < 0) return -errno;

    int rc = add_path_rule(ruleset, "/", kFsRead & fs);
    for (auto p = paths.writable; rc == 0 && p && *p; ++p) rc = allow_writes_beneath(ruleset, *p);
    if (rc == 0 && paths.device_dir)
        rc = add_path_rule(ruleset, paths.device_dir,
                           (kFsRead | LANDLOCK_ACCESS_FS_WRITE_FILE | kFsIoctlDev) & fs);
    if (rc < 0) {
        ::close(ruleset);
        return rc;
    }
    return ruleset;
}

int allow_writes_beneath(int ruleset_fd, const char* path) noexcept {
    const std::uint64_t fs = handled_fs(abi_version());
    const std::uint64_t write_access = (kFsWrite | LANDLOCK_ACCESS_FS_REFER | kFsTruncate) & fs;
    return add_path_rule(ruleset_fd, path, (kFsRead | write_access) & fs);
}

int restrict_self(int ruleset_fd) noexcept {
    return sys::landlock_restrict_self(ruleset_fd, 0) < 0 ? -errno : 0;
}

}  // namespace ringfence::landlock
