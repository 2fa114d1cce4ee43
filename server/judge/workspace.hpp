// Host directories a job works in: created private, filled without ever
// following a symlink, removed completely however a sandbox left them.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ringfence/error.hpp"
#include "ringfence/job.hpp"
#include "unique_fd.hpp"

namespace ringfence::judge {

// A fresh directory (mkdtemp) removed with everything in it on destruction.
class TempDir {
public:
    TempDir() = default;
    static Result<TempDir> create(const std::filesystem::path& parent, const std::string& prefix,
                                  mode_t mode);
    TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempDir& operator=(TempDir&& other) noexcept;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Creates (or checks) the judge's work root: a real directory, not a symlink, mode 0711.
Result<std::filesystem::path> prepare_work_root(const std::filesystem::path& configured);

// One Judge's own directory under the work root, flock-ed for as long as it
// lives, so that the next Judge to start can tell what a crashed process left
// behind (an unlocked instance directory) from what a live one is using.
struct InstanceDir {
    TempDir dir;
    UniqueFd lock;
};
// Removes the instance directories of dead judges, then claims a new one.
Result<InstanceDir> claim_instance_dir(const std::filesystem::path& work_root);

// Writes `files` (names already checked by check_relative_name) under `dir`,
// creating parent directories 0755. Regular files get `mode`.
Result<void> write_files(const std::filesystem::path& dir, const std::vector<SourceFile>& files,
                         mode_t mode);

// Removes `path` and everything below it without following symlinks, making
// directories writable first where a sandbox left them read-only.
void remove_tree(const std::filesystem::path& path);

}  // namespace ringfence::judge
