// ringfence-agent: PID 1 of every Ringfence VM. Boots the guest, prepares
// the in-guest launcher, tells the host it is ready, runs its one job and
// powers the VM off.
#include "boot.hpp"
#include "init.hpp"
#include "jobs.hpp"

using namespace ringfence;
using namespace ringfence::vm;

int main() {
    guest::run_guest(RINGFENCE_VERSION, [](guest::AgentChannel& channel, const ReadyInfo& booted) {
        auto runner = guest::JobRunner::create();
        if (!runner) {
            (void)channel.send(FrameType::failure, encode_failure({ErrorKind::setup, runner.error().describe()}));
            return 1;
        }
        ReadyInfo ready = booted;
        const std::uint64_t now = guest::boottime_ms();
        ready.agent_ms += now - ready.uptime_ms;
        ready.uptime_ms = now;
        if (!channel.send(FrameType::ready, encode_ready(ready))) return 1;
        (*runner)->start_judge();
        auto frame = channel.receive();
        if (!frame) return 1;
        auto job = decode_job(frame->payload);
        if (!job) {
            (void)channel.send(FrameType::failure, encode_failure({ErrorKind::input, job.error().message}));
            return 1;
        }
        (*runner)->handle(channel, job.value());
        return 0;
    });
}
