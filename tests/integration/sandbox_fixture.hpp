// Shared by the integration tests: one Launcher per test process, the probe
// programs bound read-only at /probes, and small helpers to run them.
#pragma once

#include <unistd.h>

#include <string>
#include <vector>

#include "ringfence/launcher.hpp"
#include "ringfence/profile.hpp"

namespace ringfence::test {

// The configuration every test launcher starts from. Rootless runs (not root)
// may need RINGFENCE_CGROUP_ROOT or RINGFENCE_TEST_ALLOW_RLIMIT_ONLY=1.
LauncherConfig launcher_config();
// The launcher of this process, made from launcher_config() (no pool).
Launcher& launcher();
std::shared_ptr<const SecurityProfile> profile(const std::string& name = "default");
bool running_as_root();

// A spec for `/probes/hostile CASE ARG` with small, test-friendly limits.
RunSpec probe_spec(const std::string& test_case, const std::string& arg = {});
RunResult run(const RunSpec& spec);
RunResult probe(const std::string& test_case, const std::string& arg = {});

// Built-in paths, overridable by RINGFENCE_TEST_PROBES_DIR, RINGFENCE_TEST_PROFILES_DIR
// and RINGFENCE_TEST_BINARY (the unprivileged CI pass runs a copy from /tmp).
std::string probes_dir();
std::string test_profiles_dir();
std::string ringfence_binary();
std::string temp_dir(const std::string& tag);  // fresh host directory, world-traversable

}  // namespace ringfence::test
