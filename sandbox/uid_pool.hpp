// Host uids for sandboxes when the launcher runs as root: one id per
// concurrent sandbox from a configured subordinate range, never 0. Leases are
// lock files, so separate processes (several `ringfence run` at once, or the
// service) never hand out the same id.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence {

class UidLease {
public:
    UidLease() = default;
    UidLease(uid_t uid, UniqueFd lock) : uid_(uid), lock_(std::move(lock)) {}
    uid_t uid() const { return uid_; }
    bool held() const { return lock_.valid(); }

private:
    uid_t uid_ = 0;
    UniqueFd lock_;  // flock'ed; closing it releases the id
};

class UidPool {
public:
    // Ids base+1 .. base+count-1 are leased; `base` itself is the inits' shared id.
    UidPool(std::string lock_dir, std::uint32_t base, std::uint32_t count);

    static Result<void> validate_range(std::uint32_t base, std::uint32_t count);
    Result<UidLease> lease();
    uid_t init_uid() const { return base_; }

private:
    std::string lock_dir_;
    std::uint32_t base_;
    std::uint32_t count_;
    std::atomic<std::uint32_t> cursor_;
};

}  // namespace ringfence
