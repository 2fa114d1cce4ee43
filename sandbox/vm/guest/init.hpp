// The agent's life as PID 1: boot the guest, fork the worker that talks to
// the host, reap every orphan the job leaves (without stealing the
// launcher's own children: those belong to the worker), and power the VM
// off when the worker is done. The real agent and the test agents share it.
#pragma once

#include <functional>

#include "agent_channel.hpp"
#include "protocol/messages.hpp"

namespace ringfence::vm::guest {

// The worker: gets the open channel and the ready information (not yet sent).
using AgentBody = std::function<int(AgentChannel& channel, const ReadyInfo& ready)>;

[[noreturn]] void run_guest(const char* agent_version, const AgentBody& body);

}  // namespace ringfence::vm::guest
