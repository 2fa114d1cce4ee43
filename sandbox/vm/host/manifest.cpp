#include "manifest.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "protocol/strict_json.hpp"
#include "sha256.hpp"

namespace ringfence::vm {
namespace {

nlohmann::json file_json(const ImageFile& f) {
    return {{"name", f.name}, {"sha256", f.sha256}, {"bytes", f.bytes}};
}

ImageFile read_file_entry(FieldReader r) {
    ImageFile f;
    f.name = r.str("name", 255);
    f.sha256 = r.str("sha256", 64);
    f.bytes = r.u64("bytes");
    r.reject_unknown_keys();
    if (r.ok() && (f.name.empty() || f.name.find('/') != std::string::npos || f.name == "." || f.name == ".."))
        r.fail_field("name", "must be a plain file name");
    if (r.ok() && (f.sha256.size() != 64 || f.sha256.find_first_not_of("0123456789abcdef") != std::string::npos))
        r.fail_field("sha256", "must be 64 lower-case hex digits");
    return f;
}

Result<UniqueFd> open_checked(int dir_fd, const std::filesystem::path& dir, const ImageFile& f) {
    const std::string where = (dir / f.name).string();
    UniqueFd fd(::openat(dir_fd, f.name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return setup_error("VM image: cannot open " + where, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return setup_error("VM image: cannot stat " + where, errno);
    if (!S_ISREG(st.st_mode)) return setup_error("VM image: " + where + " is not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) != f.bytes)
        return setup_error("VM image: " + where + " has " + std::to_string(st.st_size) +
                           " bytes, the manifest says " + std::to_string(f.bytes) +
                           " (tampered or rebuilt; run `ringfence vm-image build`)");
    auto digest = sha256_fd(fd.get());
    if (!digest) return std::move(digest).error();
    if (digest.value() != f.sha256)
        return setup_error("VM image: " + where + " does not match its SHA-256 in the manifest "
                           "(tampered or corrupted; refusing to boot it)");
    return fd;
}

}  // namespace

std::string to_json(const ImageManifest& m) {
    nlohmann::json j{{"format", kManifestFormat},
                     {"kernel_release", m.kernel_release},
                     {"rootfs_type", m.rootfs_type},
                     {"languages", m.languages},
                     {"agent_version", m.agent_version},
                     {"kernel", file_json(m.kernel)},
                     {"initramfs", file_json(m.initramfs)},
                     {"rootfs", file_json(m.rootfs)}};
    return j.dump(2) + "\n";
}

Result<ImageManifest> parse_manifest(const std::string& text) {
    auto parsed = parse_untrusted_json(text, "manifest");
    if (!parsed) return std::move(parsed).error();
    ErrorSink sink;
    FieldReader r(parsed.value(), "manifest", sink);
    ImageManifest m;
    if (r.u64("format", 1000) != kManifestFormat && r.ok())
        r.fail_field("format", "unsupported (this build reads format " + std::to_string(kManifestFormat) + ")");
    m.kernel_release = r.str("kernel_release", 256);
    m.rootfs_type = r.str("rootfs_type", 16);
    if (r.ok() && m.rootfs_type != "squashfs" && m.rootfs_type != "ext4")
        r.fail_field("rootfs_type", "must be squashfs or ext4");
    m.languages = r.str_list("languages", 1000, 64);
    m.agent_version = r.str("agent_version", 64);
    m.kernel = read_file_entry(r.object("kernel"));
    m.initramfs = read_file_entry(r.object("initramfs"));
    m.rootfs = read_file_entry(r.object("rootfs"));
    r.reject_unknown_keys();
    if (sink.error) return *sink.error;
    return m;
}

Result<ImageFile> describe_image_file(const std::filesystem::path& dir, const std::string& name) {
    UniqueFd fd(::open((dir / name).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return setup_error("cannot open " + (dir / name).string(), errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return setup_error("cannot stat " + (dir / name).string(), errno);
    auto digest = sha256_fd(fd.get());
    if (!digest) return std::move(digest).error();
    return ImageFile{name, digest.value(), static_cast<std::uint64_t>(st.st_size)};
}

Result<VerifiedImage> open_verified_image(const std::filesystem::path& dir) {
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd)
        return setup_error("VM image directory " + dir.string() +
                           " cannot be opened (build it with `ringfence vm-image build`)", errno);
    UniqueFd manifest_fd(::openat(dir_fd.get(), kManifestName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!manifest_fd) return setup_error("VM image: cannot open " + (dir / kManifestName).string(), errno);
    std::string text;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(manifest_fd.get(), buf, sizeof buf)) > 0 && text.size() < (1 << 20))
        text.append(buf, static_cast<std::size_t>(n));
    auto manifest = parse_manifest(text);
    if (!manifest) return setup_error("VM image: " + manifest.error().message);
    VerifiedImage image;
    image.manifest = std::move(manifest.value());
    for (auto [entry, slot] : {std::pair{&image.manifest.kernel, &image.kernel},
                               std::pair{&image.manifest.initramfs, &image.initramfs},
                               std::pair{&image.manifest.rootfs, &image.rootfs}}) {
        auto fd = open_checked(dir_fd.get(), dir, *entry);
        if (!fd) return std::move(fd).error();
        *slot = std::move(fd.value());
    }
    return image;
}

}  // namespace ringfence::vm
