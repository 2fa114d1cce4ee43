// The sandbox init is a small static executable of its own (init_main.cpp),
// embedded in this library and executed from a sealed memfd. Two reasons:
//  - Cost. A child cloned from the supervisor copies the supervisor's page
//    tables, and every page either side writes afterwards is a copy-on-write
//    fault with a TLB shootdown across the supervisor's threads. The image
//    runs as the init server (init_server.hpp), which shares the supervisor's
//    memory only until it execs (CLONE_VM, see init_clone.hpp) and forks
//    every small init, which forks the program's process in turn.
//  - Safety (runc CVE-2019-5736). What the sandbox can see of its init through
//    /proc/1/exe is a memfd sealed against every write, not a host file.
#pragma once

#include <cstddef>

#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence {

// A fresh sealed, close-on-exec memfd holding the init executable.
Result<UniqueFd> open_init_image();

// Bytes as a sealed, close-on-exec memfd that anyone holding it may read
// (and execute, when asked): the init's plan, the init itself.
Result<UniqueFd> sealed_memfd(const char* name, const void* data, std::size_t size, bool executable);

}  // namespace ringfence
