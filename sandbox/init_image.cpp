#include "init_image.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

// The init executable's bytes, placed in .rodata by the assembler at build
// time (RINGFENCE_INIT_PATH is set by sandbox/CMakeLists.txt).
extern "C" const char ringfence_init_image_start[];
extern "C" const char ringfence_init_image_end[];
asm(".section .rodata\n"
    ".balign 64\n"
    ".globl ringfence_init_image_start\n"
    "ringfence_init_image_start:\n"
    ".incbin \"" RINGFENCE_INIT_PATH "\"\n"
    ".globl ringfence_init_image_end\n"
    "ringfence_init_image_end:\n"
    ".previous\n");

namespace ringfence {

namespace {

// Linux 6.3 can make memfds non-executable by default (vm.memfd_noexec); the
// flag asks for an executable one. Older kernels do not know it.
constexpr unsigned kMfdExec = 0x10;

}  // namespace

Result<UniqueFd> sealed_memfd(const char* name, const void* data, std::size_t size, bool executable) {
    const unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
    UniqueFd fd(memfd_create(name, flags | (executable ? kMfdExec : 0)));
    if (!fd && executable && errno == EINVAL) fd.reset(memfd_create(name, flags));
    if (!fd && executable && errno == EACCES)
        return setup_error("memfd_create: executable memfds are refused (sysctl vm.memfd_noexec must be below 2)",
                           errno);
    if (!fd) return setup_error(std::string("memfd_create ") + name, errno);
    // Executable (when asked) by the sandbox's init identity, which owns nothing on the host.
    if (fchmod(fd.get(), executable ? 0555 : 0444) < 0) return setup_error(std::string("fchmod ") + name, errno);
    const char* p = static_cast<const char*>(data);
    for (std::size_t off = 0; off < size;) {
        ssize_t n = write(fd.get(), p + off, size - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return setup_error(std::string("writing ") + name, errno);
        off += static_cast<std::size_t>(n);
    }
    if (fcntl(fd.get(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)
        return setup_error(std::string("sealing ") + name, errno);
    return fd;
}

Result<UniqueFd> open_init_image() {
    const auto size = static_cast<std::size_t>(ringfence_init_image_end - ringfence_init_image_start);
    return sealed_memfd("ringfence-init", ringfence_init_image_start, size, true);
}

}  // namespace ringfence
