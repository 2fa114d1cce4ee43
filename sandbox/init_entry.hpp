// The init executable's one role (init_main.cpp, init_server_loop.cpp).
#pragma once

namespace ringfence {

// The init server: forks one init per request on `sock` until the supervisor
// closes it (init_server.hpp). Returns the exit status.
int serve_init_requests(int sock) noexcept;

}  // namespace ringfence
