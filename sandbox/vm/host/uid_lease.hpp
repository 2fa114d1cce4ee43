// One host uid per running VM, taken from a configured range. Leases are
// flock()s on files in the runtime directory, so two Ringfence processes on
// one host (the service and a `ringfence run --vm`) never share a uid, and a
// crashed process's leases free themselves.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>

#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence::vm {

class UidLease {
public:
    UidLease() = default;
    UidLease(uid_t uid, UniqueFd lock) : uid_(uid), lock_(std::move(lock)) {}
    uid_t uid() const { return uid_; }
    bool valid() const { return lock_.valid(); }

private:
    uid_t uid_ = 0;
    UniqueFd lock_;  // closing it releases the lease
};

// Takes the first free uid in [base, base + count). `hint` spreads concurrent
// takers over the range.
Result<UidLease> lease_uid(const std::filesystem::path& lock_dir, std::uint32_t base, std::uint32_t count,
                           std::uint32_t hint = 0);

}  // namespace ringfence::vm
