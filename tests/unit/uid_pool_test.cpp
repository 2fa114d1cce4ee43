#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <vector>

#include "uid_pool.hpp"

using namespace ringfence;

TEST_CASE("uid leases are distinct, never the base, and come back when released") {
    char templ[] = "/tmp/ringfence-uids-XXXXXX";
    std::string dir = mkdtemp(templ);
    UidPool pool(dir, 500000, 4);  // base + 3 leasable ids
    std::vector<UidLease> held;
    std::set<uid_t> seen;
    for (int i = 0; i < 3; ++i) {
        auto lease = pool.lease();
        REQUIRE(lease.ok());
        CHECK(lease->uid() > 500000);
        CHECK(lease->uid() < 500004);
        seen.insert(lease->uid());
        held.push_back(std::move(*lease));
    }
    CHECK(seen.size() == 3);
    auto exhausted = pool.lease();
    CHECK_FALSE(exhausted.ok());
    held.pop_back();
    CHECK(pool.lease().ok());
    std::filesystem::remove_all(dir);
}

TEST_CASE("uid ranges are validated") {
    CHECK_FALSE(UidPool::validate_range(0, 100).ok());
    CHECK_FALSE(UidPool::validate_range(1000, 1).ok());
    CHECK_FALSE(UidPool::validate_range(0xfffffff0u, 100).ok());
    CHECK(UidPool::validate_range(2'000'000'000u, 65536).ok());
}
