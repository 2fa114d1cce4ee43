// Hostile programs inside a VM (real image, real agent): no network, no host
// files, fork and memory bombs contained with the process tier's statuses,
// wall-time limits enforced; afterwards no QEMU of ours runs and the host
// is as before.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "host/tier.hpp"
#include "vm_fixture.hpp"

using namespace ringfence;
using namespace ringfence::vm;
using namespace ringfence::vm::testing;

namespace {

RunSpec program(std::vector<std::string> argv, std::uint64_t memory_mib = 64, std::uint32_t processes = 16) {
    static const ProfileStore profiles;
    RunSpec spec;
    spec.argv = std::move(argv);
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.profile = profiles.security("default").value();
    spec.limits.cpu_time_ms = 10'000;
    spec.limits.wall_time_ms = 20'000;
    spec.limits.memory_kib = memory_mib * 1024;
    spec.limits.processes = processes;
    spec.stdout_target = OutputTarget::capture();
    spec.stderr_target = OutputTarget::capture();
    return spec;
}

RunResult on_host(const RunSpec& spec) {
    static auto launcher = Launcher::create(LauncherConfig{});
    REQUIRE(launcher.ok());
    return (*launcher)->run(spec);
}

void check_no_vm_left(const VmTier& tier) {
    const auto& c = tier.config();
    CHECK(qemu_processes_in_uid_range(c.uid_base, c.uid_count) == 0);
    CHECK(vm_cgroups_left() == 0);
}

}  // namespace

TEST_CASE("the guest has no network device and QEMU has no network either") {
    if (!vm_host_usable() || real_image().empty()) return;
    auto tier = tier_for(real_image());
    const VmRunResult r = tier->run(program({"/bin/true"}));
    REQUIRE(r.result.status == RunStatus::ok);
    // Inside the VM: the kernel sees no interface but loopback.
    CHECK(r.vm.guest.net_interfaces == std::vector<std::string>{"lo"});
    check_no_vm_left(*tier);
}

TEST_CASE("host files are not visible in the guest") {
    if (!vm_host_usable() || real_image().empty()) return;
    const std::string marker = "/tmp/ringfence-vm-secret-" + std::to_string(std::random_device{}());
    {
        std::ofstream out(marker);
        out << "host secret\n";
    }
    auto tier = tier_for(real_image());
    const VmRunResult r = tier->run(program({"/bin/sh", "-c", "cat " + marker + "; ls /tmp /home /root 2>&1; echo done"}));
    std::filesystem::remove(marker);
    INFO(r.result.stdout_data, r.result.stderr_data, r.result.error);
    REQUIRE(r.result.status == RunStatus::ok);
    CHECK(r.result.stdout_data.find("host secret") == std::string::npos);
    CHECK(r.result.stderr_data.find("No such file") != std::string::npos);
    CHECK(r.result.stdout_data.find("done") != std::string::npos);
    check_no_vm_left(*tier);
}

TEST_CASE("a fork bomb and a memory bomb end as in the process tier; the host is unharmed") {
    if (!vm_host_usable() || real_image().empty()) return;
    auto tier = tier_for(real_image());
    auto fork_bomb = program({"/usr/bin/python3", "-c",
                              "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass"},
                             64, 8);
    // Room to reach the process limit before the CPU limit: under TCG the
    // guest's python3 start-up alone can take most of a second of CPU, and
    // 2 s once ended a slow run as time_limit.
    fork_bomb.limits.cpu_time_ms = 5'000;
    const VmRunResult bomb = tier->run(fork_bomb);
    INFO(bomb.result.error);
    CHECK(bomb.result.status == on_host(fork_bomb).status);
    CHECK(bomb.result.status == RunStatus::process_limit);
    check_no_vm_left(*tier);

    const auto memory_bomb = program({"/usr/bin/python3", "-c", "x = bytearray(512 << 20); print(len(x))"}, 64, 16);
    const VmRunResult mem = tier->run(memory_bomb);
    INFO(mem.result.error, mem.result.stderr_data);
    CHECK(mem.result.status == RunStatus::memory_limit);
    CHECK(mem.result.status == on_host(memory_bomb).status);
    check_no_vm_left(*tier);
}

TEST_CASE("a program sleeping past its wall-time limit is stopped and its VM destroyed") {
    if (!vm_host_usable() || real_image().empty()) return;
    auto tier = tier_for(real_image());
    auto spec = program({"/bin/sleep", "1000"});
    spec.limits.wall_time_ms = 2'000;
    const VmRunResult r = tier->run(spec);
    CHECK(r.result.status == RunStatus::wall_time_limit);
    CHECK(r.result.wall_time_us >= 2'000'000);
    check_no_vm_left(*tier);
}
