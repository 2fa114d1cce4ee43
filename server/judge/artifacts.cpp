#include "artifacts.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "unique_fd.hpp"

namespace ringfence::judge {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

class Copier {
public:
    Copier(const ArtifactCaps& caps, ArtifactCopy& stats) : caps_(caps), stats_(stats) {}

    // Copies the entry `name` of directory `src_dir` to `dst_dir`. `shown` is
    // its path for messages; `required` makes anything but a file or directory an error.
    Result<void> copy_entry(int src_dir, int dst_dir, const std::string& name, const std::string& shown,
                            int depth, bool required) {
        if (++stats_.entries > caps_.max_entries)
            return input_error("the compiler left more than " + std::to_string(caps_.max_entries) +
                               " files");
        struct stat st {};
        if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) return input_error("compilation did not produce " + shown);
            return internal_error("stat " + shown, errno);
        }
        if (S_ISDIR(st.st_mode)) return copy_dir(src_dir, dst_dir, name, shown, depth);
        if (S_ISREG(st.st_mode)) return copy_file(src_dir, dst_dir, name, shown);
        if (required)
            return input_error(shown + " is not a regular file or directory (" +
                               (S_ISLNK(st.st_mode) ? "a symlink" : "a special file") + ")");
        stats_.skipped.push_back(shown);
        return {};
    }

private:
    Result<void> copy_file(int src_dir, int dst_dir, const std::string& name, const std::string& shown) {
        // O_NONBLOCK: if the entry was swapped for a FIFO after fstatat, open must not hang.
        UniqueFd in(::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        if (!in) {
            if (errno == ELOOP) return input_error(shown + " is a symlink");
            if (errno == EACCES) return input_error(shown + " is not readable");
            return internal_error("open " + shown, errno);
        }
        struct stat st {};
        if (::fstat(in.get(), &st) != 0) return internal_error("stat " + shown, errno);
        if (!S_ISREG(st.st_mode)) return input_error(shown + " is not a regular file");
        mode_t mode = (st.st_mode & 0111) ? 0755 : 0644;
        UniqueFd out(::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
        if (!out) return internal_error("create copy of " + shown, errno);
        char buffer[64 * 1024];
        for (;;) {
            ssize_t n = ::read(in.get(), buffer, sizeof buffer);
            if (n < 0) {
                if (errno == EINTR) continue;
                return internal_error("read " + shown, errno);
            }
            if (n == 0) break;
            stats_.bytes += static_cast<std::uint64_t>(n);
            if (stats_.bytes > caps_.max_bytes)
                return input_error("compilation produced more than " + std::to_string(caps_.max_bytes >> 20) +
                                   " MiB of artifacts");
            for (ssize_t done = 0; done < n;) {
                ssize_t w = ::write(out.get(), buffer + done, static_cast<std::size_t>(n - done));
                if (w < 0) {
                    if (errno == EINTR) continue;
                    return internal_error("write copy of " + shown, errno);
                }
                done += w;
            }
        }
        if (::fchmod(out.get(), mode) != 0) return internal_error("chmod copy of " + shown, errno);
        return {};
    }

    Result<void> copy_dir(int src_dir, int dst_dir, const std::string& name, const std::string& shown, int depth) {
        if (depth >= caps_.max_depth)
            return input_error(shown + " is nested deeper than " + std::to_string(caps_.max_depth) + " levels");
        UniqueFd src(::openat(src_dir, name.c_str(), kDirFlags));
        if (!src) {
            if (errno == EACCES) return input_error(shown + " is not readable");
            return internal_error("open " + shown, errno);
        }
        if (::mkdirat(dst_dir, name.c_str(), 0755) != 0) return internal_error("mkdir copy of " + shown, errno);
        UniqueFd dst(::openat(dst_dir, name.c_str(), kDirFlags));
        if (!dst) return internal_error("open copy of " + shown, errno);
        if (::fchmod(dst.get(), 0755) != 0) return internal_error("chmod copy of " + shown, errno);
        auto names = read_names(src.get());
        if (!names) return std::move(names).error();
        for (const auto& child : *names) {
            auto copied = copy_entry(src.get(), dst.get(), child, shown + "/" + child, depth + 1, false);
            if (!copied) return copied;
        }
        return {};
    }

public:
    static Result<std::vector<std::string>> read_names(int dir_fd) {
        int list_fd = ::dup(dir_fd);
        if (list_fd < 0) return internal_error("dup", errno);
        DIR* dir = ::fdopendir(list_fd);
        if (!dir) {
            ::close(list_fd);
            return internal_error("fdopendir", errno);
        }
        ::rewinddir(dir);
        std::vector<std::string> names;
        while (dirent* entry = ::readdir(dir)) {
            std::string name = entry->d_name;
            if (name != "." && name != "..") names.push_back(std::move(name));
        }
        ::closedir(dir);
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    const ArtifactCaps& caps_;
    ArtifactCopy& stats_;
};

bool is_pattern(const std::string& text) { return text.find_first_of("*?[") != std::string::npos; }

// Opens the directory holding a literal relative path, copying (creating) its
// parents on the destination side. `leaf` receives the last component.
Result<std::pair<UniqueFd, UniqueFd>> descend(int src_root, int dst_root, const std::string& path,
                                              std::string& leaf) {
    UniqueFd src(::dup(src_root)), dst(::dup(dst_root));
    std::size_t start = 0;
    for (std::size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) {
        std::string part = path.substr(start, slash - start);
        UniqueFd next_src(::openat(src.get(), part.c_str(), kDirFlags));
        if (!next_src) return input_error("compilation did not produce " + path);
        if (::mkdirat(dst.get(), part.c_str(), 0755) != 0 && errno != EEXIST)
            return internal_error("mkdir " + part, errno);
        UniqueFd next_dst(::openat(dst.get(), part.c_str(), kDirFlags));
        if (!next_dst) return internal_error("open " + part, errno);
        src = std::move(next_src);
        dst = std::move(next_dst);
    }
    leaf = path.substr(start);
    return std::make_pair(std::move(src), std::move(dst));
}

}  // namespace

Result<ArtifactCopy> copy_artifacts(const std::filesystem::path& from, const std::filesystem::path& to,
                                    const std::vector<std::string>& patterns, const ArtifactCaps& caps) {
    UniqueFd src(::open(from.c_str(), kDirFlags));
    if (!src) return internal_error("open " + from.string(), errno);
    UniqueFd dst(::open(to.c_str(), kDirFlags));
    if (!dst) return internal_error("open " + to.string(), errno);
    ArtifactCopy stats;
    Copier copier(caps, stats);
    auto top = Copier::read_names(src.get());
    if (!top) return std::move(top).error();
    std::vector<std::string> copied;  // top-level names already taken by an earlier pattern
    for (const auto& pattern : patterns) {
        if (!is_pattern(pattern)) {
            std::string leaf;
            auto dirs = descend(src.get(), dst.get(), pattern, leaf);
            if (!dirs) return std::move(dirs).error();
            if (std::find(copied.begin(), copied.end(), pattern) != copied.end()) continue;
            auto done = copier.copy_entry(dirs->first.get(), dirs->second.get(), leaf, pattern, 0, true);
            if (!done) return std::move(done).error();
            copied.push_back(pattern);
            continue;
        }
        bool matched = false;
        for (const auto& name : *top) {
            if (::fnmatch(pattern.c_str(), name.c_str(), 0) != 0) continue;
            matched = true;
            if (std::find(copied.begin(), copied.end(), name) != copied.end()) continue;
            auto done = copier.copy_entry(src.get(), dst.get(), name, name, 0, false);
            if (!done) return std::move(done).error();
            copied.push_back(name);
        }
        if (!matched) return input_error("compilation produced nothing matching " + pattern);
    }
    return stats;
}

Result<std::vector<std::string>> list_top_level(const std::filesystem::path& dir) {
    UniqueFd fd(::open(dir.c_str(), kDirFlags));
    if (!fd) return internal_error("open " + dir.string(), errno);
    return Copier::read_names(fd.get());
}

Result<std::optional<std::vector<BoxFile>>> read_small_artifacts(const std::filesystem::path& dir,
                                                                 const SmallArtifactCaps& caps) {
    UniqueFd dir_fd(::open(dir.c_str(), kDirFlags));
    if (!dir_fd) return internal_error("open " + dir.string(), errno);
    auto names = Copier::read_names(dir_fd.get());
    if (!names) return std::move(names).error();
    if (names->size() > caps.max_files) return std::optional<std::vector<BoxFile>>{};
    std::vector<BoxFile> files;
    std::uint64_t total = 0;
    for (const auto& name : *names) {
        UniqueFd fd(::openat(dir_fd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
        if (!fd) {
            if (errno == ELOOP) return std::optional<std::vector<BoxFile>>{};
            return internal_error("open " + (dir / name).string(), errno);
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) return internal_error("stat " + (dir / name).string(), errno);
        total += static_cast<std::uint64_t>(st.st_size);
        if (!S_ISREG(st.st_mode) || total > caps.max_bytes) return std::optional<std::vector<BoxFile>>{};
        BoxFile file;
        file.name = name;
        file.executable = (st.st_mode & 0111) != 0;
        file.read_only = true;
        file.content.resize(static_cast<std::size_t>(st.st_size));
        std::size_t got = 0;
        while (got < file.content.size()) {
            ssize_t n = ::read(fd.get(), file.content.data() + got, file.content.size() - got);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return internal_error("read " + (dir / name).string(), errno);
            if (n == 0) return internal_error((dir / name).string() + " shrank while being read");
            got += static_cast<std::size_t>(n);
        }
        files.push_back(std::move(file));
    }
    return std::optional<std::vector<BoxFile>>{std::move(files)};
}

}  // namespace ringfence::judge
