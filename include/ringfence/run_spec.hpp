// What to run and under which limits. The launcher turns a RunSpec into a
// fresh sandbox, runs it once and throws the sandbox away.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ringfence/limits.hpp"
#include "ringfence/profile.hpp"

namespace ringfence {

struct BindMount {
    std::string host_path;
    std::string inside_path;
    bool writable = false;
};

struct InputSource {
    enum class Kind { empty, file, bytes, fd };
    Kind kind = Kind::empty;
    std::string path_or_bytes;  // file path (opened by the caller's identity) or the bytes
    int fd = -1;                // Kind::fd: borrowed, not closed by the launcher

    static InputSource empty() { return {}; }
    static InputSource file(std::string path) { return {Kind::file, std::move(path), -1}; }
    static InputSource bytes(std::string data) { return {Kind::bytes, std::move(data), -1}; }
    static InputSource from_fd(int fd) { return {Kind::fd, {}, fd}; }
};

struct OutputTarget {
    enum class Kind {
        capture,  // kept in RunResult (cut at the output limit)
        forward,  // copied to `fd` as it arrives (cut at the output limit)
        discard,  // counted against the output limit, then dropped
        raw_fd,   // the program writes to `fd` directly: no limit (used to wire pipes)
    };
    Kind kind = Kind::capture;
    int fd = -1;  // borrowed

    static OutputTarget capture() { return {}; }
    static OutputTarget forward(int fd) { return {Kind::forward, fd}; }
    static OutputTarget discard() { return {Kind::discard, -1}; }
    static OutputTarget raw(int fd) { return {Kind::raw_fd, fd}; }
};

// A file created in /box before the program starts; missing parent directories
// are created too.
struct BoxFile {
    std::string name;     // relative to /box, without ".."
    std::string content;
    bool executable = false;
    // Owned by the sandbox's root instead of the program, so the program can
    // neither write it nor change its mode: a copy of an artifact that stays as
    // it was built. Only a launcher running as root can give a file away like
    // that; a rootless() one refuses the run.
    bool read_only = false;

    bool operator==(const BoxFile&) const = default;
};

struct RunSpec {
    std::vector<std::string> argv;  // argv[0] is the program, resolved inside the sandbox
    std::vector<std::string> env;   // NAME=VALUE; nothing of the caller's environment enters
    std::string cwd = "/box";
    Limits limits;
    std::shared_ptr<const SecurityProfile> profile;
    std::vector<BindMount> binds;   // in addition to the profile's mounts
    std::optional<std::string> workdir;  // host dir mounted read-write on /box
    bool network = false;           // only when profile->network_allowed
    InputSource stdin_source;
    OutputTarget stdout_target;
    OutputTarget stderr_target;
    std::vector<BoxFile> box_files;
};

}  // namespace ringfence
