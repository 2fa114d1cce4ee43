#include "cpio.hpp"

#include <sys/stat.h>

#include <cstdio>

namespace ringfence::vm::image {
namespace {

void pad4(std::string& s) {
    while (s.size() % 4 != 0) s.push_back('\0');
}

}  // namespace

void CpioWriter::entry(const std::string& path, std::uint32_t mode, std::string_view data, std::uint32_t rdev_major,
                       std::uint32_t rdev_minor) {
    // Paths are relative ("init", "lib/modules/..."), as the kernel expects.
    const std::string name = path.size() > 1 && path[0] == '/' ? path.substr(1) : path;
    char header[111];
    std::snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                  name == "TRAILER!!!" ? 0u : next_inode_++, mode, 0u, 0u, 1u, 0u,
                  static_cast<unsigned>(data.size()), 0u, 0u, rdev_major, rdev_minor,
                  static_cast<unsigned>(name.size() + 1), 0u);
    out_.append(header, 110);
    out_.append(name);
    out_.push_back('\0');
    pad4(out_);
    out_.append(data);
    pad4(out_);
}

void CpioWriter::add_directory(const std::string& path, std::uint32_t mode) { entry(path, S_IFDIR | mode, {}); }

void CpioWriter::add_file(const std::string& path, std::string_view content, std::uint32_t mode) {
    entry(path, S_IFREG | mode, content);
}

void CpioWriter::add_symlink(const std::string& path, const std::string& target) {
    entry(path, S_IFLNK | 0777, target);
}

void CpioWriter::add_char_device(const std::string& path, std::uint32_t major, std::uint32_t minor,
                                 std::uint32_t mode) {
    entry(path, S_IFCHR | mode, {}, major, minor);
}

std::string CpioWriter::finish() {
    entry("TRAILER!!!", 0, {});
    return std::move(out_);
}

}  // namespace ringfence::vm::image
