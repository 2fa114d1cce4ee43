#include "sandbox_fixture.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <doctest/doctest.h>
#include <stdexcept>

namespace ringfence::test {

bool running_as_root() { return geteuid() == 0; }

LauncherConfig launcher_config() {
    LauncherConfig config;
    if (const char* root = std::getenv("RINGFENCE_CGROUP_ROOT")) config.cgroup_root = root;
    if (const char* degraded = std::getenv("RINGFENCE_TEST_ALLOW_RLIMIT_ONLY"))
        config.allow_rlimit_only = std::string(degraded) == "1";
    return config;
}

Launcher& launcher() {
    static std::unique_ptr<Launcher> instance = [] {
        auto created = Launcher::create(launcher_config());
        if (!created) throw std::runtime_error("Launcher::create: " + created.error().describe());
        return std::move(*created);
    }();
    return *instance;
}

std::shared_ptr<const SecurityProfile> profile(const std::string& name) {
    static ProfileStore store(test_profiles_dir());
    auto p = store.security(name);
    if (!p) throw std::runtime_error(p.error().describe());
    return *p;
}

namespace {
std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}
}  // namespace

std::string probes_dir() { return env_or("RINGFENCE_TEST_PROBES_DIR", RINGFENCE_PROBES_DIR); }
std::string test_profiles_dir() { return env_or("RINGFENCE_TEST_PROFILES_DIR", RINGFENCE_TEST_PROFILES_DIR); }
std::string ringfence_binary() { return env_or("RINGFENCE_TEST_BINARY", RINGFENCE_BINARY); }

RunSpec probe_spec(const std::string& test_case, const std::string& arg) {
    RunSpec spec;
    spec.profile = profile();
    spec.argv = {"/probes/hostile", test_case};
    if (!arg.empty()) spec.argv.push_back(arg);
    spec.env = {"PATH=/usr/bin:/bin", "HOME=/box"};
    spec.binds.push_back({probes_dir(), "/probes", false});
    spec.limits.cpu_time_ms = 2000;
    spec.limits.wall_time_ms = 6000;
    spec.limits.memory_kib = 64 * 1024;
    spec.limits.processes = 16;
    spec.limits.output_bytes = 1 << 20;
    spec.limits.box_size_kib = 16 * 1024;
    return spec;
}

RunResult run(const RunSpec& spec) {
    RunResult r = launcher().run(spec);
    INFO("status=" << to_string(r.status) << " error=" << r.error << " stdout=" << r.stdout_data
                   << " stderr=" << r.stderr_data);
    return r;
}

RunResult probe(const std::string& test_case, const std::string& arg) {
    return run(probe_spec(test_case, arg));
}

std::string temp_dir(const std::string& tag) {
    std::string templ = "/tmp/ringfence-test-" + tag + "-XXXXXX";
    if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    chmod(templ.c_str(), 0755);
    return templ;
}

}  // namespace ringfence::test
