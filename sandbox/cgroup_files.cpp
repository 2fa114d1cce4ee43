#include "cgroup_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <thread>

#include "cgroup.hpp"

namespace ringfence::cgroup {

namespace {

constexpr std::size_t kMaxFileBytes = 4 << 20;  // cgroup.procs of a large group stays far below

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

}  // namespace

Result<Dir> Dir::open(std::string path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return setup_error("cannot open cgroup directory " + path, errno);
    Dir dir;
    dir.path_ = std::move(path);
    dir.fd_.reset(fd);
    return dir;
}

bool Dir::has(const char* file) const { return ::faccessat(fd(), file, F_OK, 0) == 0; }

Result<int> Dir::reading_fd(const char* file, UniqueFd& fresh) const {
    if (std::string_view(file).rfind("cgroup.", 0) == 0) {
        fresh.reset(::openat(fd(), file, O_RDONLY | O_CLOEXEC));
        if (!fresh) return setup_error("cannot open " + path_ + "/" + file, errno);
        return fresh.get();
    }
    std::lock_guard lock(open_files_->mutex);
    auto& fds = open_files_->fds;
    if (auto it = fds.find(std::string_view(file)); it != fds.end()) return it->second.get();
    UniqueFd f(::openat(fd(), file, O_RDONLY | O_CLOEXEC));
    if (!f) return setup_error("cannot open " + path_ + "/" + file, errno);
    const int raw = f.get();
    fds.emplace(file, std::move(f));
    return raw;
}

Result<std::string> Dir::read(const char* file) const {
    UniqueFd fresh;
    auto f = reading_fd(file, fresh);
    if (!f) return std::move(f).error();
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::pread(*f, buf, sizeof buf, static_cast<off_t>(text.size()));
        if (n < 0) {
            if (errno == EINTR) continue;
            return setup_error("cannot read " + path_ + "/" + file, errno);
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > kMaxFileBytes)
            return setup_error(path_ + "/" + file + " is unexpectedly large");
        // A cgroup file hands over all it has in one read when it fits: a short
        // read is the end, and the read that would confirm it costs a system call per figure.
        if (static_cast<std::size_t>(n) < sizeof buf) break;
    }
    return text;
}

Result<std::uint64_t> Dir::read_number(const char* file) const {
    auto text = read(file);
    if (!text) return std::move(text).error();
    auto value = parse_number(*text);
    if (!value) return setup_error(path_ + "/" + file + ": expected a number, found '" +
                                   std::string(trim(*text)) + "'");
    return *value;
}

Result<std::uint64_t> Dir::read_key(const char* file, std::string_view key) const {
    auto text = read(file);
    if (!text) return std::move(text).error();
    auto value = find_key(*text, key);
    if (!value)
        return setup_error(path_ + "/" + file + ": no '" + std::string(key) + "' line");
    return *value;
}

Result<void> Dir::write(const char* file, std::string_view value) const {
    UniqueFd f(::openat(fd(), file, O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!f) return setup_error("cannot open " + path_ + "/" + file + " for writing", errno);
    // Control files take one value per write(2); a short write is a failure.
    // Lowering a v1 memory limit reclaims first and gives up with EINTR when
    // any signal is pending: the write is idempotent, so it is simply retried.
    ssize_t n;
    do n = ::write(f.get(), value.data(), value.size());
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return setup_error("writing '" + std::string(value) + "' to " + path_ + "/" + file, errno);
    if (static_cast<std::size_t>(n) != value.size())
        return setup_error("short write of '" + std::string(value) + "' to " + path_ + "/" + file);
    return {};
}

Result<std::vector<pid_t>> Dir::read_pids() const {
    auto text = read("cgroup.procs");
    if (!text) return std::move(text).error();
    return parse_pids(*text);
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
    text = trim(text);
    if (text == "max") return kUnlimited;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::optional<std::uint64_t> find_key(std::string_view text, std::string_view key) {
    while (!text.empty()) {
        auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        line = trim(line);
        if (line.size() > key.size() && line.substr(0, key.size()) == key &&
            is_space(line[key.size()]))
            return parse_number(line.substr(key.size()));
    }
    return std::nullopt;
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_space(text[i])) ++i;
        std::size_t start = i;
        while (i < text.size() && !is_space(text[i])) ++i;
        if (i > start) words.emplace_back(text.substr(start, i - start));
    }
    return words;
}

bool contains_word(std::string_view text, std::string_view word) {
    auto words = split_words(text);
    return std::find(words.begin(), words.end(), word) != words.end();
}

std::string join_words(std::string_view text) {
    std::string joined;
    for (const auto& word : split_words(text)) joined += (joined.empty() ? "" : " ") + word;
    return joined;
}

std::vector<pid_t> parse_pids(std::string_view text) {
    std::vector<pid_t> pids;
    for (const auto& word : split_words(text)) {
        auto value = parse_number(word);
        if (value && *value > 0 && *value <= static_cast<std::uint64_t>(INT32_MAX))
            pids.push_back(static_cast<pid_t>(*value));
    }
    return pids;
}

Result<void> validate_group_name(const std::string& name) {
    if (name.empty() || name.size() > 128)
        return input_error("cgroup name must have 1 to 128 characters, got " +
                           std::to_string(name.size()));
    if (name == "." || name == "..") return input_error("cgroup name cannot be '" + name + "'");
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return input_error("cgroup name '" + name + "' may only use letters, digits, '.', '_', '-'");
    }
    return {};
}

std::optional<std::uint64_t> process_start_ticks(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    // "pid (comm) state ppid ...": comm may hold anything; field 22 is the 20th after it.
    const auto after_comm = line.rfind(')');
    if (after_comm == std::string::npos) return std::nullopt;
    std::string_view rest = std::string_view(line).substr(after_comm + 1);
    for (int field = 3; field <= 22; ++field) {
        rest = trim(rest);
        const auto end = std::min(rest.find(' '), rest.size());
        if (field == 22) return parse_number(rest.substr(0, end));
        rest = rest.substr(end);
    }
    return std::nullopt;
}

std::optional<GroupCreator> group_creator(std::string_view name) {
    // "<letters>-<pid>-<start>-<serial>", all three numbers decimal.
    const auto dash = name.find('-');
    if (dash == 0 || dash == std::string_view::npos) return std::nullopt;
    for (char c : name.substr(0, dash))
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return std::nullopt;
    std::uint64_t numbers[3] = {};
    std::string_view rest = name.substr(dash + 1);
    for (int i = 0; i < 3; ++i) {
        const auto end = i < 2 ? rest.find('-') : rest.size();
        if (end == 0 || end == std::string_view::npos) return std::nullopt;
        auto [stop, ec] = std::from_chars(rest.data(), rest.data() + end, numbers[i]);
        if (ec != std::errc() || stop != rest.data() + end) return std::nullopt;
        rest = rest.substr(std::min(end + 1, rest.size()));
    }
    if (numbers[0] == 0 || numbers[0] > 0x3fffffff) return std::nullopt;
    return GroupCreator{static_cast<pid_t>(numbers[0]), numbers[1]};
}

Result<std::size_t> remove_stale_groups_in(const std::string& subtree) {
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(subtree.c_str()), ::closedir);
    if (!dir) return setup_error("cannot list cgroup " + subtree, errno);
    std::vector<std::string> stale;
    std::map<pid_t, std::optional<std::uint64_t>> started_of;  // a launcher has many groups: one read each
    while (const dirent* entry = ::readdir(dir.get())) {
        if (entry->d_type != DT_DIR) continue;
        auto creator = group_creator(entry->d_name);
        if (!creator) continue;
        auto known = started_of.find(creator->pid);
        if (known == started_of.end())
            known = started_of.emplace(creator->pid, process_start_ticks(creator->pid)).first;
        const auto& started = known->second;
        if (started == creator->start_ticks) continue;  // its creator lives
        // Unreadable yet present (a host /proc with hidepid): count it as alive.
        if (!started && (::kill(creator->pid, 0) == 0 || errno == EPERM)) continue;
        stale.push_back(entry->d_name);
    }
    std::size_t removed = 0;
    for (const auto& name : stale)  // one rmdir each: it fails on a group that still holds tasks
        if (::rmdir((subtree + "/" + name).c_str()) == 0) ++removed;
    return removed;
}

Result<void> make_group_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0755) == 0) return {};
    if (errno == EEXIST)
        return setup_error("cgroup " + path + " already exists (group names must be unique)");
    return setup_error("cannot create cgroup " + path, errno);
}

Result<void> ensure_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return {};
        return setup_error(path + " exists but is not a directory");
    }
    return setup_error("cannot create cgroup " + path, errno);
}

Result<bool> try_remove_dir(const std::string& path) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return true;
    if (errno == EBUSY) return false;
    return setup_error("cannot remove cgroup " + path, errno);
}

Result<void> remove_group_dir(const std::string& path) {
    auto done = retry_until([&] { return try_remove_dir(path); }, std::chrono::milliseconds(1000),
                            "removing cgroup " + path);
    if (!done && done.error().sys_errno == 0)  // timed out while busy
        return setup_error("cannot remove cgroup " + path + " (still busy after 1 s)", EBUSY);
    return done;
}

Result<std::size_t> kill_listed_tasks(const Dir& dir) {
    auto listed = dir.read_pids();
    if (!listed) return std::move(listed).error();
    struct Pinned {
        pid_t pid;
        UniqueFd fd;  // invalid on kernels without pidfd_open (< 5.3)
    };
    std::vector<Pinned> pinned;
    for (pid_t pid : *listed) {
        int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        if (fd < 0 && errno == ESRCH) continue;  // already gone
        pinned.push_back({pid, UniqueFd(fd)});
    }
    if (pinned.empty()) return listed->size();
    // Still listed after pinning: the pidfd refers to a task of this group.
    auto again = dir.read_pids();
    if (!again) return std::move(again).error();
    for (const auto& p : pinned) {
        if (std::find(again->begin(), again->end(), p.pid) == again->end()) continue;
        if (p.fd) {
            ::syscall(SYS_pidfd_send_signal, p.fd.get(), SIGKILL, nullptr, 0);
        } else {
            ::kill(p.pid, SIGKILL);
        }
    }
    return listed->size();
}

Result<void> retry_until(const std::function<Result<bool>()>& step,
                         std::chrono::milliseconds timeout, const std::string& what) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::microseconds(100);
    for (;;) {
        auto done = step();
        if (!done) return std::move(done).error();
        if (*done) return {};
        if (std::chrono::steady_clock::now() >= deadline)
            return setup_error(what + ": gave up after " + std::to_string(timeout.count()) + " ms");
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(10'000));
    }
}

bool host_swap_active() {
    std::ifstream swaps("/proc/swaps");
    std::string line;
    int lines = 0;
    while (std::getline(swaps, line))
        if (!line.empty()) ++lines;
    return lines > 1;  // the first line is the header
}

}  // namespace ringfence::cgroup

namespace ringfence {

std::string group_name(const char* kind, std::uint64_t serial) {
    // Per thread and checked against the pid, so a forked child never names
    // groups with its parent's start time. 0 when /proc cannot tell.
    thread_local pid_t cached_pid = 0;
    thread_local std::uint64_t started = 0;
    const pid_t pid = ::getpid();
    if (cached_pid != pid) {
        started = cgroup::process_start_ticks(pid).value_or(0);
        cached_pid = pid;
    }
    return std::string(kind) + "-" + std::to_string(pid) + "-" + std::to_string(started) + "-" +
           std::to_string(serial);
}

}  // namespace ringfence
