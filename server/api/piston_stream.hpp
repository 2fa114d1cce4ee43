// One Piston WebSocket session (/api/v2/connect): the handshake, the init
// message (validated like /execute), then the program's stdin fed from data
// messages and its stdout/stderr sent back as they come, ending with Piston's
// close codes (piston_ws_protocol.hpp).
//
// The program runs as a direct job of the scheduler (a running job of the
// tenant for its quotas, audited like any other) on its own thread, through
// the tier's executor; the session talks to it over three pipes it pumps
// asynchronously on the connection's strand. Whatever ends the session first
// (the job, an error, the client going away, drain) stops the other: the job
// is cancelled, the pipes drained until the program is gone.
#pragma once

#include "api_context.hpp"

namespace ringfence::server {

// Takes over the upgraded connection and completes the WebSocket handshake.
void start_piston_stream(ApiContext& ctx, const TenantConfig& tenant, Upgrade upgrade, Request request);

}  // namespace ringfence::server
