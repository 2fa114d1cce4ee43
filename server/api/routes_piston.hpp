// Piston v2 under /api/v2: runtimes and execute (the WebSocket /api/v2/connect
// is websocket_piston.hpp). Piston clients send no credentials: requests
// without a key run as the configured anonymous tenant.
#pragma once

#include "api_context.hpp"
#include "http/router.hpp"

namespace ringfence::server {

void add_piston_routes(Router& router, ApiContext& ctx);

}  // namespace ringfence::server
