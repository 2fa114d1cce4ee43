// Messages on the SOCK_SEQPACKET control socket between the supervisor and a
// sandbox's init (and the program's process, which also takes a run request
// directly on its own socket). Fixed layouts, parsed in place without
// allocating on the run's path. One datagram per message; file descriptors
// ride as SCM_RIGHTS.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringfence::control {

enum class Type : std::uint32_t {
    ready = 1,    // init -> supervisor: tree built; fds: [/box dir]
    error,        // init or program child -> supervisor: a setup step failed
    run,          // supervisor -> init: start the program; fds: [stdin, stdout, stderr, binds...]
    listener,     // program process -> supervisor, while preparing: fds: [seccomp notification fd]
    started,      // program process -> supervisor: about to execve
    exited,       // init -> supervisor: the program ended
};

// Setup steps, reported with errno when one fails.
enum class Stage : std::int32_t {
    set_ids = 1, setsid, make_private, mount_root, mount_bind, mount_attr,
    make_dir, make_file, make_symlink, write_file, mount_proc, mount_mask, mount_tmpfs,
    pivot_root, hostname, landlock, open_box, send_ready, receive_run, claim_bind,
    root_readonly, spawn, program_stdio, program_cwd, program_rlimit, program_caps,
    program_ids, program_no_new_privs, program_landlock, program_seccomp, program_exec, read_plan,
    join_cgroup,
};

const char* describe(Stage stage) noexcept;

struct Header {
    Type type;
    std::uint32_t size;  // whole message, header included
};

struct ErrorMsg {
    Header header;
    Stage stage;
    std::int32_t sys_errno;
    char detail[240];  // NUL-terminated, e.g. the path being mounted
};

struct Rlimit {
    std::int32_t resource;
    std::uint64_t soft;
    std::uint64_t hard;
};

constexpr std::size_t kMaxRlimits = 12;
constexpr std::size_t kMaxBinds = 64;
constexpr std::size_t kMaxArgs = 4096;  // argv and env entries each
constexpr std::size_t kMaxRunMessage = 192 * 1024;

// Followed by NUL-separated strings: argv..., env..., cwd, bind targets...
struct RunMsg {
    Header header;
    std::uint32_t argc;
    std::uint32_t envc;
    std::uint32_t nbinds;
    std::uint32_t bind_writable_mask_lo;  // bit i: bind i is writable (binds 0-31)
    std::uint32_t bind_writable_mask_hi;  // binds 32-63
    std::uint32_t nrlimits;
    Rlimit rlimits[kMaxRlimits];
    std::int64_t received_ns;  // set by the init when it forwards the request (phase timing)
};

struct ExitedMsg {
    Header header;
    std::int32_t wait_status;
    std::uint64_t user_us;   // rusage of every process init reaped
    std::uint64_t system_us;
    std::uint64_t max_rss_kib;
};

// CLOCK_MONOTONIC nanoseconds (the same clock as the supervisor's steady_clock),
// so the start of a run can be split into phases. The program process sends it
// on its direct socket, which the supervisor reads only after the run.
struct StartedMsg {
    Header header;
    std::int64_t received_ns;  // init got the run request
    std::int64_t entered_ns;   // the program process got it (binds attached)
    std::int64_t confined_ns;  // ... and calls execve
};

struct SimpleMsg {
    Header header;
};

}  // namespace ringfence::control
