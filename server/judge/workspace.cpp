#include "workspace.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>


namespace ringfence::judge {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// Empties the directory open as `dir_fd`, depth-first.
void empty_directory(int dir_fd, int depth) {
    if (depth > 64) return;  // deeper trees than any sandbox can make within its limits
    int list_fd = ::dup(dir_fd);
    if (list_fd < 0) return;
    DIR* dir = ::fdopendir(list_fd);
    if (!dir) {
        ::close(list_fd);
        return;
    }
    std::vector<std::string> subdirs;
    while (dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        if (::unlinkat(dir_fd, name.c_str(), 0) == 0) continue;
        if (errno == EISDIR || errno == EPERM) subdirs.push_back(name);
    }
    ::closedir(dir);
    for (const auto& name : subdirs) {
        UniqueFd sub(::openat(dir_fd, name.c_str(), kDirFlags));
        if (!sub && errno == EACCES) {
            // Unreadable even to its owner: it is a directory (unlinkat said so), so
            // changing its mode by name cannot reach through a symlink.
            ::fchmodat(dir_fd, name.c_str(), 0700, 0);
            sub.reset(::openat(dir_fd, name.c_str(), kDirFlags));
        }
        if (!sub) continue;
        ::fchmod(sub.get(), 0700);  // a sandbox may have left it without write permission
        empty_directory(sub.get(), depth + 1);
        ::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR);
    }
}

Result<UniqueFd> open_or_make_dir(int parent_fd, const std::string& name, mode_t mode) {
    if (::mkdirat(parent_fd, name.c_str(), mode) != 0 && errno != EEXIST)
        return internal_error("mkdir " + name, errno);
    UniqueFd fd(::openat(parent_fd, name.c_str(), kDirFlags));
    if (!fd) return internal_error("open directory " + name, errno);
    return fd;
}

}  // namespace

TempDir& TempDir::operator=(TempDir&& other) noexcept {
    if (this != &other) {
        if (!path_.empty()) remove_tree(path_);
        path_ = std::exchange(other.path_, {});
    }
    return *this;
}

TempDir::~TempDir() {
    if (!path_.empty()) remove_tree(path_);
}

Result<TempDir> TempDir::create(const std::filesystem::path& parent, const std::string& prefix,
                                mode_t mode) {
    std::string pattern = (parent / (prefix + "XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) return internal_error("mkdtemp " + pattern, errno);
    TempDir dir;
    dir.path_ = pattern;
    // mkdtemp makes 0700; chmod (not umask) sets exactly what was asked.
    if (::chmod(pattern.c_str(), mode) != 0) return internal_error("chmod " + pattern, errno);
    return dir;
}

Result<std::filesystem::path> prepare_work_root(const std::filesystem::path& configured) {
    std::filesystem::path root = configured;
    if (root.empty()) {
        std::error_code ec;
        auto tmp = std::filesystem::temp_directory_path(ec);
        if (ec) tmp = "/tmp";
        root = tmp / ("ringfence-judge-" + std::to_string(::geteuid()));
    }
    if (::mkdir(root.c_str(), 0711) != 0 && errno != EEXIST)
        return setup_error("cannot create the judge work directory " + root.string(), errno);
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0)
        return setup_error("cannot inspect the judge work directory " + root.string(), errno);
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid())
        return setup_error("the judge work directory " + root.string() +
                           " must be a directory owned by this user, not a symlink");
    if ((st.st_mode & 07777) != 0711 && ::chmod(root.c_str(), 0711) != 0)
        return setup_error("chmod 0711 " + root.string(), errno);
    return root;
}

Result<InstanceDir> claim_instance_dir(const std::filesystem::path& work_root) {
    constexpr std::string_view kPrefix = "judge-";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(work_root, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(kPrefix, 0) != 0 || !entry.is_directory(ec) || entry.is_symlink(ec)) continue;
        UniqueFd lock(::open((entry.path() / "lock").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        // A live judge holds its lock; one we can lock (or that never made its lock) is gone.
        if (lock && ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) continue;
        remove_tree(entry.path());
    }
    auto dir = TempDir::create(work_root, std::string(kPrefix), 0711);
    if (!dir) return std::move(dir).error();
    UniqueFd lock(::open((dir->path() / "lock").c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!lock) return internal_error("create " + (dir->path() / "lock").string(), errno);
    if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) return internal_error("flock " + dir->path().string(), errno);
    return InstanceDir{std::move(*dir), std::move(lock)};
}

Result<void> write_files(const std::filesystem::path& dir, const std::vector<SourceFile>& files,
                         mode_t mode) {
    UniqueFd root(::open(dir.c_str(), kDirFlags));
    if (!root) return internal_error("open " + dir.string(), errno);
    for (const auto& file : files) {
        // Walk the parent components, creating them; the last one is the file.
        UniqueFd parent(::dup(root.get()));
        std::size_t start = 0;
        for (std::size_t slash; (slash = file.name.find('/', start)) != std::string::npos; start = slash + 1) {
            auto sub = open_or_make_dir(parent.get(), file.name.substr(start, slash - start), 0755);
            if (!sub) return std::move(sub).error();
            parent = std::move(sub.value());
        }
        std::string leaf = file.name.substr(start);
        UniqueFd fd(::openat(parent.get(), leaf.c_str(),
                             O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
        if (!fd) return internal_error("create " + file.name, errno);
        if (::fchmod(fd.get(), mode) != 0) return internal_error("chmod " + file.name, errno);
        std::size_t done = 0;
        while (done < file.content.size()) {
            ssize_t n = ::write(fd.get(), file.content.data() + done, file.content.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                return internal_error("write " + file.name, errno);
            }
            done += static_cast<std::size_t>(n);
        }
    }
    return {};
}

void remove_tree(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), kDirFlags));
    if (fd) {
        ::fchmod(fd.get(), 0700);
        empty_directory(fd.get(), 0);
    }
    if (::rmdir(path.c_str()) != 0 && errno == ENOTDIR) ::unlink(path.c_str());
}

}  // namespace ringfence::judge
