#include <doctest/doctest.h>

#include "id_map.hpp"

using namespace ringfence;

TEST_CASE("as root: two unprivileged host ids, nothing maps to host root") {
    auto m = plan_id_maps(true, 2000000000, 2000000042, 0, 0);
    CHECK(m.uid_map == "0 2000000000 1\n1000 2000000042 1\n");
    CHECK(m.gid_map == "0 2000000000 1\n1000 2000000042 1\n");
    CHECK_FALSE(m.deny_setgroups);
    CHECK(m.uid_map.find(" 0 ") == std::string::npos);
}

TEST_CASE("rootless: the program's ids are the caller's, setgroups denied") {
    auto m = plan_id_maps(false, 0, 0, 1001, 1002);
    CHECK(m.uid_map == "1000 1001 1\n");
    CHECK(m.gid_map == "1000 1002 1\n");
    CHECK(m.deny_setgroups);
}
