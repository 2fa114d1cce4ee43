#include "kernel.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "command.hpp"

namespace ringfence::vm::image {
namespace {

std::uint32_t le32(const std::string& d, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(d[at + static_cast<std::size_t>(i)]);
    return v;
}

// Compares Debian kernel releases numerically part by part ("6.1.0-56" > "6.1.0-9").
bool release_less(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
            while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
            const auto x = std::stoull(a.substr(i, ie - i)), y = std::stoull(b.substr(j, je - j));
            if (x != y) return x < y;
            i = ie, j = je;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i, ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

bool has_pvh_note(const std::string& elf) {
    // XEN_ELFNOTE_PHYS32_ENTRY (18) in a "Xen" note: the PVH entry point.
    if (elf.size() < 64 || elf.compare(0, 4, "\x7f" "ELF") != 0 || elf[4] != 2) return false;
    const std::uint64_t phoff = le32(elf, 0x20) | (static_cast<std::uint64_t>(le32(elf, 0x24)) << 32);
    const unsigned phentsize = static_cast<unsigned char>(elf[0x36]) | (static_cast<unsigned char>(elf[0x37]) << 8);
    const unsigned phnum = static_cast<unsigned char>(elf[0x38]) | (static_cast<unsigned char>(elf[0x39]) << 8);
    for (unsigned i = 0; i < phnum; ++i) {
        const std::size_t ph = phoff + static_cast<std::size_t>(i) * phentsize;
        if (ph + 56 > elf.size() || le32(elf, ph) != 4 /* PT_NOTE */) continue;
        const std::size_t off = le32(elf, ph + 8), size = le32(elf, ph + 32);
        for (std::size_t p = off; p + 12 <= off + size && p + 12 <= elf.size();) {
            const std::uint32_t namesz = le32(elf, p), descsz = le32(elf, p + 4), type = le32(elf, p + 8);
            if (namesz == 4 && type == 18 && elf.compare(p + 12, 3, "Xen") == 0) return true;
            p += 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
        }
    }
    return false;
}

}  // namespace

std::string payload_compression(const std::string& head) {
    auto starts = [&](const char* magic, std::size_t n) { return head.size() >= n && std::memcmp(head.data(), magic, n) == 0; };
    if (starts("\x02\x21\x4c\x18", 4)) return "lz4";
    if (starts("\x28\xb5\x2f\xfd", 4)) return "zstd";
    if (starts("\xfd" "7zXZ\x00", 6)) return "xz";
    if (starts("\x1f\x8b", 2)) return "gzip";
    if (starts("BZh", 3)) return "bzip2";
    if (starts("\x5d\x00", 2)) return "lzma";
    return {};
}

Result<HostKernel> find_host_kernel(const std::string& flavour, const std::string& release) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/boot", ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("vmlinuz-", 0) != 0) continue;
        const std::string rel = name.substr(8);
        if (!release.empty() ? rel != release : (rel.size() < flavour.size() || rel.compare(rel.size() - flavour.size(), flavour.size(), flavour) != 0))
            continue;
        if (std::filesystem::exists("/lib/modules/" + rel + "/modules.dep")) found.push_back(rel);
    }
    if (found.empty())
        return setup_error("no " + (release.empty() ? "*" + flavour : release) +
                           " kernel with modules in /boot (install linux-image-cloud-amd64)");
    const std::string best = *std::max_element(found.begin(), found.end(), release_less);
    return HostKernel{best, "/boot/vmlinuz-" + best, "/lib/modules/" + best};
}

Result<std::string> prepare_guest_kernel(const HostKernel& kernel, const std::filesystem::path& out) {
    std::ifstream in(kernel.image, std::ios::binary);
    const std::string bz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bz.size() < 0x260 || bz.compare(0x202, 4, "HdrS") != 0)
        return setup_error(kernel.image.string() + " is not a bzImage");
    const unsigned setup_sects = static_cast<unsigned char>(bz[0x1f1]) ? static_cast<unsigned char>(bz[0x1f1]) : 4;
    const std::size_t start = (setup_sects + 1) * 512ull + le32(bz, 0x248);
    const std::size_t length = le32(bz, 0x24c);
    auto copy_as_is = [&]() -> Result<std::string> {
        std::error_code ec;
        std::filesystem::copy_file(kernel.image, out, std::filesystem::copy_options::overwrite_existing, ec);
        if (ec) return setup_error("copy " + kernel.image.string() + ": " + ec.message());
        return std::string("bzimage");
    };
    if (start + length > bz.size()) return copy_as_is();
    const std::string tool = payload_compression(bz.substr(start, 8));
    if (tool.empty()) return copy_as_is();
    const auto payload_path = out.string() + ".payload";
    {
        std::ofstream p(payload_path, std::ios::binary);
        p.write(bz.data() + static_cast<std::ptrdiff_t>(start), static_cast<std::streamsize>(length));
    }
    auto unpacked = run_command({tool, "-dc"}, payload_path, out.string());
    std::filesystem::remove(payload_path);
    // lz4's legacy format ends with the uncompressed size, which the tool
    // reports as trailing garbage; the ELF check below is what counts.
    if (!unpacked) return copy_as_is();
    std::ifstream elf_in(out, std::ios::binary);
    std::string elf((std::istreambuf_iterator<char>(elf_in)), std::istreambuf_iterator<char>());
    if (!has_pvh_note(elf)) return copy_as_is();
    return std::string("pvh");
}

}  // namespace ringfence::vm::image
