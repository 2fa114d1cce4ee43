#include "rootfs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <fstream>
#include <set>

#include "command.hpp"

namespace fs = std::filesystem;

namespace ringfence::vm::image {
namespace {

constexpr const char* kExcluded[] = {
    "/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/locale/",
    "/usr/share/lintian/", "/usr/share/bug/", "/usr/share/bash-completion/", "/usr/share/menu/",
};

class Stager {
public:
    Stager(const fs::path& staging, const Progress& progress) : root_(staging), progress_(progress) {}

    Result<void> add(const std::string& host_path) {
        queue_.push_back(host_path);
        while (!queue_.empty()) {
            const std::string path = queue_.front();
            queue_.pop_front();
            if (auto r = copy_one(path); !r) return r;
        }
        return {};
    }
    const StageStats& stats() const { return stats_; }

private:
    // Where `host_path` goes in the staging tree: its parent resolved on the
    // host (so no component is a symlink), then the name. The staging tree
    // mirrors the host, so this path never crosses a staged symlink either.
    Result<std::pair<fs::path, fs::path>> place(const std::string& host_path) {
        const fs::path p(host_path);
        if (!p.is_absolute() || p == "/") return std::pair<fs::path, fs::path>{};
        std::error_code ec;
        const fs::path parent = fs::canonical(p.parent_path(), ec);
        if (ec) return std::pair<fs::path, fs::path>{};  // the package's directory is gone: nothing to copy
        const fs::path host = parent / p.filename();
        const fs::path dest = root_ / host.relative_path();
        const std::string dest_text = dest.lexically_normal().string();
        if (dest_text.rfind(root_.string() + "/", 0) != 0)
            return internal_error("staging: " + host_path + " would land outside the staging tree");
        return std::pair{host, dest};
    }

    Result<void> copy_one(const std::string& host_path) {
        if (excluded_from_image(host_path) || !seen_.insert(host_path).second) return {};
        auto placed = place(host_path);
        if (!placed) return std::move(placed).error();
        const auto& [host, dest] = placed.value();
        if (host.empty()) return {};
        if (host.string() != host_path && !seen_.insert(host.string()).second) return {};
        struct stat st {};
        if (::lstat(host.c_str(), &st) != 0) return {};  // listed but removed (conffiles, diversions)
        std::error_code ec;
        fs::create_directories(dest.parent_path(), ec);
        if (ec) return setup_error("staging: mkdir " + dest.parent_path().string() + ": " + ec.message());
        if (S_ISDIR(st.st_mode)) {
            if (!fs::is_directory(fs::symlink_status(dest))) {
                fs::create_directory(dest, ec);
                ++stats_.dirs;
            }
            ::chmod(dest.c_str(), st.st_mode & 0755);
        } else if (S_ISLNK(st.st_mode)) {
            const fs::path target = fs::read_symlink(host, ec);
            if (ec) return setup_error("staging: readlink " + host.string() + ": " + ec.message());
            if (!fs::exists(fs::symlink_status(dest))) {
                fs::create_symlink(target, dest, ec);
                if (ec) return setup_error("staging: symlink " + dest.string() + ": " + ec.message());
                ++stats_.links;
            }
            // Follow the link so that /usr/bin/cc -> /etc/alternatives/cc -> gcc all arrive.
            queue_.push_back((target.is_absolute() ? target : host.parent_path() / target).lexically_normal().string());
        } else if (S_ISREG(st.st_mode)) {
            if (!fs::exists(fs::symlink_status(dest))) {
                fs::copy_file(host, dest, ec);
                if (ec) return setup_error("staging: copy " + host.string() + ": " + ec.message());
                // No set-user/group-id programs in the guest.
                ::chmod(dest.c_str(), st.st_mode & 0755);
                ++stats_.files;
                stats_.bytes += static_cast<std::uint64_t>(st.st_size);
                if (stats_.files % 2000 == 0 && progress_)
                    progress_("  staged " + std::to_string(stats_.files) + " files, " +
                              std::to_string(stats_.bytes >> 20) + " MiB");
            }
        }
        // Devices, fifos and sockets are not toolchain files: skipped.
        return {};
    }

    fs::path root_;
    const Progress& progress_;
    std::deque<std::string> queue_;
    std::set<std::string> seen_;
    StageStats stats_;
};

Result<void> write_text(const fs::path& path, const std::string& text, fs::perms perms) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out) return setup_error("cannot write " + path.string());
    std::error_code ec;
    fs::permissions(path, perms, ec);
    return {};
}

}  // namespace

bool excluded_from_image(const std::string& path) {
    for (const char* prefix : kExcluded)
        if (path.rfind(prefix, 0) == 0) return true;
    return false;
}

Result<StageStats> stage_paths(const std::vector<std::string>& paths, const fs::path& staging,
                               const Progress& progress) {
    std::error_code ec;
    fs::create_directories(staging, ec);
    if (ec) return setup_error("staging: cannot create " + staging.string() + ": " + ec.message());
    const fs::path root = fs::canonical(staging);
    // Mirror the host's top-level merged-/usr links first (/lib -> usr/lib ...).
    for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
        if (!fs::is_symlink(fs::symlink_status(top, ec))) continue;
        const fs::path link = root / fs::path(top).relative_path();
        if (!fs::exists(fs::symlink_status(link))) fs::create_symlink(fs::read_symlink(top), link, ec);
    }
    Stager stager(root, progress);
    for (const auto& p : paths)
        if (auto r = stager.add(p); !r) return std::move(r).error();
    return stager.stats();
}

Result<void> finish_root(const fs::path& staging) {
    std::error_code ec;
    for (const char* d : {"proc", "sys", "dev", "tmp", "run", "box", "etc", "root"}) {
        fs::create_directories(staging / d, ec);
        if (ec) return setup_error("cannot create " + (staging / d).string() + ": " + ec.message());
    }
    fs::permissions(staging / "tmp", fs::perms(01777), ec);
    if (auto r = write_text(staging / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
                            fs::perms(0644));
        !r)
        return r;
    if (auto r = write_text(staging / "etc/group", "root:x:0:\nnogroup:x:65534:\n", fs::perms(0644)); !r) return r;
    if (auto r = write_text(staging / "etc/hostname", "ringfence-vm\n", fs::perms(0644)); !r) return r;
    // The linker cache for exactly the staged libraries (ld.so.conf comes with libc-bin).
    if (fs::exists(staging / "etc/ld.so.conf")) {
        auto r = run_checked({"ldconfig", "-r", staging.string()});
        if (!r) return std::move(r).error();
    }
    return {};
}

Result<void> make_squashfs(const fs::path& staging, const fs::path& out) {
    std::error_code ec;
    fs::remove(out, ec);
    // lz4: the fastest to decompress, which matters most for a guest without
    // KVM; -all-root: nothing in the image belongs to a host user.
    auto r = run_checked({"mksquashfs", staging.string(), out.string(), "-noappend", "-comp", "lz4", "-all-root",
                          "-no-xattrs", "-quiet", "-no-progress"});
    if (!r) return std::move(r).error();
    return {};
}

}  // namespace ringfence::vm::image
