// A guest that breaks the protocol, with real QEMU and the real host code:
// each violation is rejected cleanly, the VM is killed, and nothing of it is
// left on the host.
#include <doctest/doctest.h>

#include "vm_fixture.hpp"

using namespace ringfence;
using namespace ringfence::vm;
using namespace ringfence::vm::testing;

namespace {

JobRequest tiny_run_job() {
    JobRequest q;
    q.kind = JobKind::run;
    q.entropy = std::string(32, 'e');
    q.run.argv = {"/bin/true"};
    q.run.limits.output_bytes = 1 << 20;
    return q;
}

struct Outcome {
    VmFailure failure;
    pid_t qemu_pid = -1;
    ReadyInfo ready;
};

Outcome run_against(const std::string& mode, std::uint64_t wall_ms = 30'000) {
    auto env = environment(hostile_image(mode));
    auto vm = Vm::boot(env, VmShape{256, 1});
    REQUIRE_MESSAGE(vm.ok(), (vm.ok() ? "" : vm.error().describe()));
    Outcome o;
    o.qemu_pid = (*vm)->qemu_pid();
    o.ready = (*vm)->ready();
    CHECK(process_alive(o.qemu_pid));
    auto result = (*vm)->run(tiny_run_job(), OutputTarget::capture(), OutputTarget::capture(), wall_ms, nullptr);
    REQUIRE(std::holds_alternative<VmFailure>(result));
    o.failure = std::get<VmFailure>(result);
    // The VM is gone as soon as the job ended, before the Vm object is.
    CHECK_FALSE(process_alive(o.qemu_pid));
    return o;
}

}  // namespace

TEST_CASE("a guest writing garbage instead of a frame is cut off and its QEMU killed") {
    if (!vm_host_usable()) return;
    const Outcome o = run_against("garbage");
    CHECK(o.failure.end == SessionEnd::violation);
    CHECK(o.failure.error.kind == ErrorKind::internal);
    CHECK(o.failure.error.message.find("bad magic") != std::string::npos);
}

TEST_CASE("an oversized frame header is refused before any payload is buffered") {
    if (!vm_host_usable()) return;
    const Outcome o = run_against("oversized");
    CHECK(o.failure.end == SessionEnd::violation);
    CHECK(o.failure.error.message.find("exceeds the limit") != std::string::npos);
}

TEST_CASE("a malformed result, a nesting bomb and an output flood are violations") {
    if (!vm_host_usable()) return;
    for (const auto& [mode, expect] : {std::pair{"bad-result", "result.exit_code: expected an integer"},
                                       std::pair{"deep-json", "nested deeper"},
                                       std::pair{"flood", "more stdout than the output limit"}}) {
        CAPTURE(mode);
        const Outcome o = run_against(mode);
        CHECK(o.failure.end == SessionEnd::violation);
        INFO(o.failure.error.message);
        CHECK(o.failure.error.message.find(expect) != std::string::npos);
    }
}

TEST_CASE("a guest that never answers is killed at the VM's wall-time limit") {
    if (!vm_host_usable()) return;
    const auto t0 = Clock::now();
    const Outcome o = run_against("silent", 2'000);
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    CHECK(o.failure.end == SessionEnd::timeout);
    CHECK(o.failure.error.message.find("hard wall-time limit") != std::string::npos);
    MESSAGE("silent guest: boot + 2 s wall limit took " << waited << " ms");
}

TEST_CASE("a guest that never becomes ready fails the boot at its timeout") {
    if (!vm_host_usable()) return;
    auto env = environment(hostile_image("no-ready"));
    env.config.boot_timeout_ms = 8'000;
    auto vm = Vm::boot(env, VmShape{256, 1});
    REQUIRE_FALSE(vm.ok());
    CHECK(vm.error().kind == ErrorKind::setup);
    CHECK(vm.error().message.find("not ready within 8000 ms") != std::string::npos);
}
