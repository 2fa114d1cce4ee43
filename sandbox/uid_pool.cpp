#include "uid_pool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace ringfence {

UidPool::UidPool(std::string lock_dir, std::uint32_t base, std::uint32_t count)
    : lock_dir_(std::move(lock_dir)), base_(base), count_(count),
      cursor_(static_cast<std::uint32_t>(getpid()) * 7919u) {}

Result<void> UidPool::validate_range(std::uint32_t base, std::uint32_t count) {
    if (base == 0) return input_error("uid range must not start at 0 (host root)");
    if (count < 2) return input_error("uid range needs at least 2 ids (init + one sandbox)");
    if (static_cast<std::uint64_t>(base) + count > 0xffffffffull)
        return input_error("uid range runs past the largest uid");
    return {};
}

Result<UidLease> UidPool::lease() {
    const std::uint32_t slots = count_ - 1;
    for (std::uint32_t attempt = 0; attempt < slots; ++attempt) {
        std::uint32_t slot = cursor_.fetch_add(1, std::memory_order_relaxed) % slots;
        uid_t uid = base_ + 1 + slot;
        std::string path = lock_dir_ + "/" + std::to_string(uid);
        UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) return setup_error("cannot open uid lock " + path, errno);
        if (flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return UidLease(uid, std::move(fd));
        if (errno != EWOULDBLOCK) return setup_error("cannot lock " + path, errno);
    }
    return setup_error("every sandbox uid in the range is in use (raise uid_count)");
}

}  // namespace ringfence
