// Size caps of the job JSON, documented in JOB_SCHEMA.md. They bound what one
// job can make the judge hold in memory and write to disk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringfence::judge {

inline constexpr std::size_t kMaxLanguageIdBytes = 64;
inline constexpr std::size_t kMaxSources = 64;
inline constexpr std::size_t kMaxSourceBytesTotal = 8u << 20;   // decoded, all sources
inline constexpr std::size_t kMaxFiles = 256;
inline constexpr std::size_t kMaxFileBytesTotal = 64u << 20;    // decoded, all files
inline constexpr std::size_t kMaxTests = 1000;
inline constexpr std::size_t kMaxTestBytesTotal = 256u << 20;   // decoded stdin + expected, all tests
inline constexpr std::size_t kMaxArgs = 64;                     // job args, and per test
inline constexpr std::size_t kMaxArgBytes = 4096;
inline constexpr std::size_t kMaxFlags = 32;
inline constexpr std::size_t kMaxFlagBytes = 256;

// Bounds on limit values as written in a job; the language profile's maxima
// then apply (see normalize).
inline constexpr std::uint64_t kMaxTimeMs = 24ull * 3600 * 1000;
inline constexpr std::uint64_t kMinMemoryKib = 1024;
inline constexpr std::uint64_t kMaxMemoryKib = 1ull << 30;       // 1 TiB
inline constexpr std::uint64_t kMaxProcesses = 65536;
inline constexpr std::uint64_t kMaxOutputBytes = 1ull << 40;

}  // namespace ringfence::judge
