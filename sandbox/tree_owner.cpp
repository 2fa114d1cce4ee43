#include "tree_owner.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "unique_fd.hpp"

namespace ringfence {
namespace {

Result<void> walk(int dir_fd, uid_t uid, gid_t gid, std::size_t& budget, int depth) {
    if (depth > 256) return setup_error("directory tree too deep to hand over");
    if (fchown(dir_fd, uid, gid) < 0) return setup_error("fchown", errno);
    // A fresh open, not dup(): a dup shares the directory offset, and a second
    // walk over the same fd would then see nothing.
    int dup_fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup_fd < 0) return setup_error("reopen directory", errno);
    DIR* dir = fdopendir(dup_fd);
    if (!dir) {
        close(dup_fd);
        return setup_error("fdopendir", errno);
    }
    struct Closer {
        DIR* d;
        ~Closer() { closedir(d); }
    } closer{dir};
    while (dirent* e = readdir(dir)) {
        if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
        if (budget-- == 0) return setup_error("too many entries to hand over");
        struct stat st {};
        if (fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT) continue;
            return setup_error(std::string("stat ") + e->d_name, errno);
        }
        if (S_ISDIR(st.st_mode)) {
            UniqueFd sub(openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub) return setup_error(std::string("open ") + e->d_name, errno);
            if (auto r = walk(sub.get(), uid, gid, budget, depth + 1); !r) return r;
        } else if (fchownat(dir_fd, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT) {
            return setup_error(std::string("chown ") + e->d_name, errno);
        }
    }
    return {};
}

}  // namespace

Result<void> chown_tree(int dir_fd, uid_t uid, gid_t gid, std::size_t max_entries) {
    std::size_t budget = max_entries;
    return walk(dir_fd, uid, gid, budget, 0);
}

}  // namespace ringfence
