// Finds Debian's cloud kernel and prepares it for microvm: the compressed
// payload of the bzImage is unpacked into the ELF vmlinux, which QEMU starts
// through its PVH entry point, saving the guest the decompression (about
// half a second under TCG). A kernel that cannot be unpacked is used as is.
#pragma once

#include <filesystem>
#include <string>

#include "ringfence/error.hpp"

namespace ringfence::vm::image {

struct HostKernel {
    std::string release;                 // "6.1.0-56-cloud-amd64"
    std::filesystem::path image;         // /boot/vmlinuz-<release>
    std::filesystem::path modules_dir;   // /lib/modules/<release>
};

// The newest installed kernel whose release ends in `flavour` and that has
// its modules installed. `release` non-empty: exactly that one.
Result<HostKernel> find_host_kernel(const std::string& flavour = "-cloud-amd64", const std::string& release = {});

// Writes the kernel QEMU should boot to `out`; returns "pvh" when it is the
// unpacked ELF vmlinux, "bzimage" when it had to be the original.
Result<std::string> prepare_guest_kernel(const HostKernel& kernel, const std::filesystem::path& out);

// Which decompressor the bzImage payload needs ("lz4", "zstd", "xz", "gzip",
// ...), from its magic bytes; "" when unknown. Exposed for tests.
std::string payload_compression(const std::string& payload_head);

}  // namespace ringfence::vm::image
