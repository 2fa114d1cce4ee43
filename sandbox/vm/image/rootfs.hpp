// The guest's read-only root image: the files of the chosen packages copied
// from the host into a staging tree (symlinks recreated and their targets
// followed, set-id bits dropped, documentation left out), the mount points
// and minimal /etc the agent needs, packed into a squashfs image.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ringfence/error.hpp"

namespace ringfence::vm::image {

struct StageStats {
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    std::uint64_t links = 0;
    std::uint64_t dirs = 0;
};

using Progress = std::function<void(const std::string& line)>;

// Documentation, manuals and translations: large and never needed to run code.
bool excluded_from_image(const std::string& path);

// Copies each absolute host path into `staging` at the same place. Never
// writes outside `staging`, whatever the symlinks say.
Result<StageStats> stage_paths(const std::vector<std::string>& paths, const std::filesystem::path& staging,
                               const Progress& progress);

// Mount points (/proc, /sys, /dev, /tmp, /run, /box), a minimal /etc and the
// dynamic linker's cache for the staged libraries.
Result<void> finish_root(const std::filesystem::path& staging);

Result<void> make_squashfs(const std::filesystem::path& staging, const std::filesystem::path& out);

}  // namespace ringfence::vm::image
