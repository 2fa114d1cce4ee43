// The VM image's manifest: which kernel, initramfs and root image make up the
// guest, with the SHA-256 and size of each. `ringfence vm-image build` writes
// it; every boot checks it first, through the very fds that are then handed
// to QEMU, so a file swapped or altered after the check is never booted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence::vm {

inline constexpr int kManifestFormat = 1;
inline constexpr const char* kManifestName = "manifest.json";

struct ImageFile {
    std::string name;  // file name inside the image directory (no '/')
    std::string sha256;
    std::uint64_t bytes = 0;
};

struct ImageManifest {
    std::string kernel_release;   // the guest kernel's `uname -r`
    std::string rootfs_type;      // "squashfs" or "ext4"
    std::vector<std::string> languages;  // language profiles whose toolchains the root image holds
    std::string agent_version;
    ImageFile kernel;
    ImageFile initramfs;
    ImageFile rootfs;
};

std::string to_json(const ImageManifest& manifest);
Result<ImageManifest> parse_manifest(const std::string& text);

// Hashes `dir/name` and fills an ImageFile for it (used by the image builder).
Result<ImageFile> describe_image_file(const std::filesystem::path& dir, const std::string& name);

// An image whose files matched the manifest, kept open for the boot.
struct VerifiedImage {
    ImageManifest manifest;
    UniqueFd kernel;
    UniqueFd initramfs;
    UniqueFd rootfs;
};

// Reads the manifest, opens each file (no symlinks, regular files only), and
// compares size and SHA-256. Any mismatch is a setup error naming the file.
Result<VerifiedImage> open_verified_image(const std::filesystem::path& dir);

}  // namespace ringfence::vm
