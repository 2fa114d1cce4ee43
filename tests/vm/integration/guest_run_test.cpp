// Run jobs in a VM booted from the real image (`ringfence vm-image build`)
// with the real agent and the real in-guest launcher.
#include <doctest/doctest.h>

#include <sys/utsname.h>

#include <fstream>
#include <iterator>

#include "host/tier.hpp"
#include "vm_fixture.hpp"

using namespace ringfence;
using namespace ringfence::vm;
using namespace ringfence::vm::testing;

namespace {

std::string host_file(const char* path) {
    std::ifstream in(path);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

RunSpec shell(const std::string& script) {
    static const ProfileStore profiles;
    RunSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.profile = profiles.security("default").value();
    spec.limits.wall_time_ms = 30'000;
    spec.limits.cpu_time_ms = 20'000;
    spec.limits.memory_kib = 128 * 1024;
    spec.stdout_target = OutputTarget::capture();
    spec.stderr_target = OutputTarget::capture();
    return spec;
}

}  // namespace

// One VM serves both checks (TCG boots are slow): where the job ran, and how
// the in-guest launcher measured it (cgroup v2 only, memory peak included).
TEST_CASE("a run job executes under the guest's kernel, not the host's, measured by cgroup v2") {
    if (!vm_host_usable() || real_image().empty()) return;
    auto tier = tier_for(real_image());
    const VmRunResult r = tier->run(shell("cat /proc/sys/kernel/random/boot_id; cat /proc/cmdline; uname -r; "
                                                 "cat /proc/self/cgroup; "
                                                 "/usr/bin/python3 -c \"x = b'y' * (48 << 20)\""));
    INFO(r.result.error, r.result.stderr_data);
    REQUIRE(r.result.status == RunStatus::ok);
    CHECK(r.result.tier == "vm");
    CHECK(r.vm.accel == tier->accel());
    std::istringstream lines(r.result.stdout_data);
    std::string boot_id, cmdline, release;
    std::getline(lines, boot_id);
    std::getline(lines, cmdline);
    std::getline(lines, release);
    std::string rest((std::istreambuf_iterator<char>(lines)), std::istreambuf_iterator<char>());
    utsname host{};
    ::uname(&host);
    CHECK(boot_id.size() == 36);
    CHECK(boot_id != host_file("/proc/sys/kernel/random/boot_id"));
    CHECK(boot_id == r.vm.guest.boot_id);
    CHECK(cmdline != host_file("/proc/cmdline"));
    CHECK(cmdline.find("ringfence.rootfs=squashfs") != std::string::npos);
    CHECK(release == r.vm.guest.kernel_release);
    CHECK(release != std::string(host.release));
    // cgroup v2 alone: one "0::<path>" line, no v1 controller hierarchies.
    CHECK(rest.rfind("0::", 0) == 0);
    CHECK(rest.find('\n') + 1 == rest.size());
    CHECK(r.result.measured_by == "cgroup-v2");
    CHECK(r.result.memory_kib >= 48 * 1024);
    CHECK(r.result.memory_kib < 128 * 1024);
    const std::string json = to_json(r);
    CHECK(json.find("\"tier\":\"vm\"") != std::string::npos);
    CHECK(json.find(std::string("\"vm_accel\":\"") + to_string(tier->accel()) + "\"") != std::string::npos);
}
