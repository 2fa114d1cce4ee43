// `ringfence vm-image build`: makes the VM image directory from what the
// host has installed (Debian's cloud kernel, the static agent, the language
// toolchains' packages) and writes its SHA-256 manifest last. Re-runnable:
// each run rebuilds everything and replaces the previous image.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "host/manifest.hpp"
#include "rootfs.hpp"

namespace ringfence::vm::image {

inline constexpr const char* kKernelFile = "kernel";
inline constexpr const char* kInitramfsFile = "initramfs.cpio";
inline constexpr const char* kRootfsFile = "rootfs.sqfs";

// Packages every image carries: the C library, the dynamic linker's
// configuration (for ldconfig), /bin/sh and the basic commands.
std::vector<std::string> base_packages();

struct ImageBuildOptions {
    std::filesystem::path out_dir;
    std::filesystem::path agent_binary;
    std::string agent_version;
    std::string kernel_release;                 // empty: the newest installed *-cloud-amd64
    std::vector<std::string> languages;         // recorded in the manifest
    std::vector<std::string> packages;          // the languages' toolchain packages
    std::vector<std::pair<std::string, std::string>> initramfs_extra_files;  // tests only
};

Result<ImageManifest> build_vm_image(const ImageBuildOptions& options, const Progress& progress);

}  // namespace ringfence::vm::image
