// Copying a compile step's outputs out of the directory its sandbox wrote.
// That directory is hostile: the program in it may have planted symlinks to
// host files (Judge0 CVE-2024-28185), FIFOs, devices or huge files. Every step
// here goes through openat(O_NOFOLLOW) from a directory fd, copies regular
// files and directories only, and stops at size and count caps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ringfence/error.hpp"
#include "ringfence/run_spec.hpp"

namespace ringfence::judge {

struct ArtifactCaps {
    std::uint64_t max_bytes = 256ull << 20;
    std::uint64_t max_entries = 10'000;
    int max_depth = 16;
};

struct ArtifactCopy {
    std::uint64_t bytes = 0;
    std::uint64_t entries = 0;
    std::vector<std::string> skipped;  // symlinks and special files found (not copied)
};

// Copies what matches `patterns` from `from` into the (existing, empty) `to`.
// A pattern is a relative path ("main", "bin/main") or a shell pattern without
// '/' matched against the top-level names ("*", "*.class"; "*" includes dot
// files). Each pattern must match something that is a regular file or a
// directory. Copies are owned by the caller, directories 0755, files 0644 or
// 0755 (when the original had any execute bit): readable by every sandbox uid.
// Errors: ErrorKind::input for what the compiled program's side did (missing,
// not a regular file, over a cap), internal for our own I/O failures.
Result<ArtifactCopy> copy_artifacts(const std::filesystem::path& from, const std::filesystem::path& to,
                                    const std::vector<std::string>& patterns, const ArtifactCaps& caps);

// Top-level names in `dir`, sorted (what to bind into /box for a run).
Result<std::vector<std::string>> list_top_level(const std::filesystem::path& dir);

// Above these, a run binds the artifacts instead of starting with copies.
struct SmallArtifactCaps {
    std::uint64_t max_bytes = 1ull << 20;
    std::size_t max_files = 16;
};

// The top-level entries of `dir` as read-only box files, when they are all
// regular files within `caps`; nothing (not an error) otherwise.
Result<std::optional<std::vector<BoxFile>>> read_small_artifacts(const std::filesystem::path& dir,
                                                                 const SmallArtifactCaps& caps);

}  // namespace ringfence::judge
