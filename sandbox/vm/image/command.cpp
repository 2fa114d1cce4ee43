#include "command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "unique_fd.hpp"

extern char** environ;

namespace ringfence::vm::image {

Result<CommandOutput> run_command(const std::vector<std::string>& argv, const std::string& stdin_path,
                                  const std::string& stdout_path) {
    if (argv.empty()) return internal_error("run_command: empty argv");
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
        return setup_error("pipe", errno);
    UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]), err_r(err_pipe[0]), err_w(err_pipe[1]);
    UniqueFd in(::open(stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) return setup_error("open " + stdin_path, errno);
    UniqueFd out_file;
    if (!stdout_path.empty()) {
        out_file.reset(::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!out_file) return setup_error("create " + stdout_path, errno);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, out_file ? out_file.get() : out_w.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return setup_error("cannot run " + argv[0], rc);
    out_w.reset();
    err_w.reset();

    CommandOutput result;
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
    int open_fds = 2;
    char buf[65536];
    while (open_fds > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                fds[i].fd = -1;
                --open_fds;
                continue;
            }
            auto& sink = i == 0 ? result.out : result.err;
            if (i == 0 || sink.size() < 64 * 1024) sink.append(buf, static_cast<std::size_t>(n));
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

Result<std::string> run_checked(const std::vector<std::string>& argv, const std::string& stdin_path,
                                const std::string& stdout_path) {
    auto r = run_command(argv, stdin_path, stdout_path);
    if (!r) return std::move(r).error();
    if (r->exit_code != 0) {
        std::string err = r->err.substr(0, 2000);
        while (!err.empty() && err.back() == '\n') err.pop_back();
        return setup_error(argv[0] + " failed (exit " + std::to_string(r->exit_code) + ")" +
                           (err.empty() ? "" : ": " + err));
    }
    return std::move(r->out);
}

}  // namespace ringfence::vm::image
