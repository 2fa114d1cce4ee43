// A writer for the "newc" cpio format the kernel unpacks as initramfs.
// Uncompressed on purpose: the archive is small (the agent and a few modules)
// and the guest then spends no boot time decompressing it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ringfence/error.hpp"

namespace ringfence::vm::image {

class CpioWriter {
public:
    void add_directory(const std::string& path, std::uint32_t mode = 0755);
    void add_file(const std::string& path, std::string_view content, std::uint32_t mode = 0644);
    void add_symlink(const std::string& path, const std::string& target);
    void add_char_device(const std::string& path, std::uint32_t major, std::uint32_t minor, std::uint32_t mode = 0600);
    // Appends the trailer and returns the archive.
    std::string finish();

private:
    void entry(const std::string& path, std::uint32_t mode, std::string_view data, std::uint32_t rdev_major = 0,
               std::uint32_t rdev_minor = 0);
    std::string out_;
    std::uint32_t next_inode_ = 1;
};

}  // namespace ringfence::vm::image
