#include "builder.hpp"

#include <fstream>

#include "initramfs.hpp"
#include "kernel.hpp"
#include "packages.hpp"

namespace fs = std::filesystem;

namespace ringfence::vm::image {
namespace {

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1 << 19)) >> 20) + " MiB"; }

}  // namespace

std::vector<std::string> base_packages() { return {"libc6", "libc-bin", "dash", "coreutils"}; }

Result<ImageManifest> build_vm_image(const ImageBuildOptions& o, const Progress& progress) {
    auto say = [&](const std::string& line) {
        if (progress) progress(line);
    };
    std::error_code ec;
    fs::create_directories(o.out_dir, ec);
    if (ec) return setup_error("cannot create " + o.out_dir.string() + ": " + ec.message());
    const fs::path out = fs::canonical(o.out_dir);

    say("[1/6] kernel");
    auto kernel = find_host_kernel("-cloud-amd64", o.kernel_release);
    if (!kernel) return std::move(kernel).error();
    auto kind = prepare_guest_kernel(kernel.value(), out / (std::string(kKernelFile) + ".new"));
    if (!kind) return std::move(kind).error();
    say("      " + kernel->release + " (" + (kind.value() == "pvh" ? "unpacked for a direct PVH boot" : "bzImage") + ")");

    say("[2/6] initramfs: agent + modules");
    const std::string rootfs_type = "squashfs";
    if (auto r = build_initramfs(o.agent_binary, kernel.value(), guest_modules(rootfs_type),
                                 out / (std::string(kInitramfsFile) + ".new"), o.initramfs_extra_files);
        !r)
        return std::move(r).error();

    say("[3/6] packages: dependency closure");
    auto db = PackageDb::load();
    if (!db) return std::move(db).error();
    std::vector<std::string> roots = base_packages();
    roots.insert(roots.end(), o.packages.begin(), o.packages.end());
    auto closure = db->closure(roots);
    if (!closure) return std::move(closure).error();
    std::vector<std::string> paths;
    for (const auto& pkg : closure.value()) {
        auto files = db->files_of(pkg);
        if (!files) return std::move(files).error();
        paths.insert(paths.end(), files->begin(), files->end());
    }
    say("      " + std::to_string(closure->size()) + " packages, " + std::to_string(paths.size()) + " paths");

    say("[4/6] staging the root tree");
    const fs::path staging = out / ".staging";
    fs::remove_all(staging, ec);
    auto stats = stage_paths(paths, staging, progress);
    if (!stats) return std::move(stats).error();
    if (auto r = finish_root(staging); !r) return std::move(r).error();
    say("      " + std::to_string(stats->files) + " files (" + mib(stats->bytes) + "), " +
        std::to_string(stats->links) + " symlinks");

    say("[5/6] squashfs (lz4)");
    if (auto r = make_squashfs(staging, out / (std::string(kRootfsFile) + ".new")); !r) return std::move(r).error();
    fs::remove_all(staging, ec);

    say("[6/6] SHA-256 manifest");
    // Boots refuse an image without a manifest: drop the old one before the
    // files change, write the new one last.
    fs::remove(out / kManifestName, ec);
    for (const char* name : {kKernelFile, kInitramfsFile, kRootfsFile}) {
        fs::rename(out / (std::string(name) + ".new"), out / name, ec);
        if (ec) return setup_error("cannot move " + std::string(name) + " into place: " + ec.message());
    }
    ImageManifest m;
    m.kernel_release = kernel->release;
    m.rootfs_type = rootfs_type;
    m.languages = o.languages;
    m.agent_version = o.agent_version;
    for (auto [name, slot] : {std::pair{kKernelFile, &m.kernel}, std::pair{kInitramfsFile, &m.initramfs},
                              std::pair{kRootfsFile, &m.rootfs}}) {
        auto f = describe_image_file(out, name);
        if (!f) return std::move(f).error();
        *slot = f.value();
        say("      " + std::string(name) + "  " + mib(slot->bytes) + "  sha256 " + slot->sha256.substr(0, 16) + "...");
    }
    const fs::path tmp = out / (std::string(kManifestName) + ".new");
    {
        std::ofstream mf(tmp, std::ios::trunc);
        mf << to_json(m);
        if (!mf) return setup_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, out / kManifestName, ec);
    if (ec) return setup_error("cannot move the manifest into place: " + ec.message());
    // Then check it the way every boot will.
    auto verified = open_verified_image(out);
    if (!verified) return std::move(verified).error();
    return m;
}

}  // namespace ringfence::vm::image
