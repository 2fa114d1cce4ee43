#include "uid_lease.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

namespace ringfence::vm {

Result<UidLease> lease_uid(const std::filesystem::path& lock_dir, std::uint32_t base, std::uint32_t count,
                           std::uint32_t hint) {
    if (base == 0 || count == 0) return internal_error("uid lease: empty or root range");
    std::error_code ec;
    std::filesystem::create_directories(lock_dir, ec);
    if (ec) return setup_error("uid lease: cannot create " + lock_dir.string() + ": " + ec.message());
    ::chmod(lock_dir.c_str(), 0700);
    for (std::uint32_t i = 0; i < count; ++i) {
        const uid_t uid = base + (hint + i) % count;
        const auto path = lock_dir / (std::to_string(uid) + ".lock");
        UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) return setup_error("uid lease: cannot open " + path.string(), errno);
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return UidLease(uid, std::move(fd));
        if (errno != EWOULDBLOCK) return setup_error("uid lease: flock " + path.string(), errno);
    }
    return setup_error("uid lease: all " + std::to_string(count) + " VM uids from " + std::to_string(base) +
                       " are in use (raise vm.uid_count)");
}

}  // namespace ringfence::vm
