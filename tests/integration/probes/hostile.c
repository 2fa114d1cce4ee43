/* Hostile probe: each case attempts one attack from inside a sandbox.
 * Convention: a case prints one line describing what happened and exits 0
 * when the sandbox held ("blocked: ..."), 1 when the attack worked ("ESCAPED: ...").
 * Cases that the seccomp filter must stop never get to print anything. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <dirent.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int blocked(const char* what) {
    printf("blocked: %s: %s\n", what, strerror(errno));
    return 0;
}
static int escaped(const char* what) {
    printf("ESCAPED: %s\n", what);
    return 1;
}

static int open_read(const char* path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return blocked(path);
    char buf[16];
    if (read(fd, buf, sizeof buf) < 0) return blocked(path);
    return escaped(path);
}

static int open_write(const char* path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return blocked(path);
    if (write(fd, "x", 1) != 1) return blocked(path);
    return escaped(path);
}

static void* spin(void* arg) {
    volatile unsigned long n = 0;
    (void)arg;
    for (;;) ++n;
    return NULL;
}

/* Burns `ms` of this thread's own CPU time, then returns. */
static void* burn(void* arg) {
    long ms = (long)(intptr_t)arg;
    struct timespec t;
    volatile unsigned long n = 0;
    for (;;) {
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        if (t.tv_sec * 1000 + t.tv_nsec / 1000000 >= ms) return NULL;
        for (int i = 0; i < 100000; ++i) ++n;
    }
}

static int recurse(int depth) {
    volatile char pad[4096];
    pad[0] = (char)depth;
    if (depth < 0) return 0; /* never: keeps the compiler from rejecting the recursion */
    return recurse(depth + 1) + pad[0];
}

static int count_procs(void) {
    DIR* d = opendir("/proc");
    struct dirent* e;
    int n = 0;
    while (d && (e = readdir(d)))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9') ++n;
    if (d) closedir(d);
    return n;
}

int main(int argc, char** argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 2;
    const char* c = argv[1];
    const char* arg = argc > 2 ? argv[2] : "";

    /* filesystem */
    if (!strcmp(c, "read")) return open_read(arg);
    if (!strcmp(c, "write")) return open_write(arg);
    if (!strcmp(c, "mknod")) {
        if (mknod("/box/devnode", S_IFCHR | 0666, makedev(1, 3)) < 0) return blocked("mknod char device");
        return escaped("mknod char device");
    }
    if (!strcmp(c, "sysrq")) {
        int a = open_write("/proc/sysrq-trigger");
        int b = open_write("/proc/sys/kernel/hostname");
        return a | b;
    }
    if (!strcmp(c, "mountinfo")) {
        FILE* f = fopen("/proc/self/mountinfo", "r");
        char line[4096];
        while (f && fgets(line, sizeof line, f)) fputs(line, stdout);
        return 0;
    }
    if (!strcmp(c, "cat")) {
        FILE* f = fopen(arg, "r");
        if (!f) return blocked(arg);
        char line[4096];
        while (fgets(line, sizeof line, f)) fputs(line, stdout);
        return 0;
    }
    if (!strcmp(c, "setuid-exec")) { /* arg: path of a setuid-root binary */
        execl(arg, arg, (char*)NULL);
        return blocked("exec setuid binary");
    }
    if (!strcmp(c, "print-ids")) {
        uid_t r, e, s;
        getresuid(&r, &e, &s);
        printf("uid=%u euid=%u suid=%u gid=%u groups=%d\n", r, e, s, getgid(), getgroups(0, NULL));
        return 0;
    }
    if (!strcmp(c, "fds")) {
        DIR* d = opendir("/proc/self/fd");
        struct dirent* e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d)) printf("%s ", e->d_name);
        printf("\n");
        return 0;
    }
    if (!strcmp(c, "env")) {
        extern char** environ;
        for (char** e = environ; *e; ++e) printf("%s\n", *e);
        return 0;
    }
    if (!strcmp(c, "procs")) {
        printf("visible=%d\n", count_procs());
        if (kill(1, 0) == 0) return escaped("signal to pid 1");
        return blocked("signal to pid 1");
    }

    /* seccomp: these must never print */
    if (!strcmp(c, "ptrace")) syscall(SYS_ptrace, 0, 0, 0, 0);
    if (!strcmp(c, "mount")) mount("none", "/tmp", "tmpfs", 0, NULL);
    if (!strcmp(c, "umount")) umount2("/proc", MNT_DETACH);
    if (!strcmp(c, "pivot_root")) syscall(SYS_pivot_root, "/tmp", "/tmp");
    if (!strcmp(c, "unshare")) unshare(CLONE_NEWUSER);
    if (!strcmp(c, "setns")) setns(0, 0);
    if (!strcmp(c, "clone-newns")) syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
    if (!strcmp(c, "keyctl")) syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    if (!strcmp(c, "bpf")) syscall(SYS_bpf, 0, 0, 0);
    if (!strcmp(c, "io_uring")) {
        struct io_uring_params p;
        memset(&p, 0, sizeof p);
        syscall(SYS_io_uring_setup, 4, &p);
    }
    if (!strcmp(c, "open_by_handle_at")) syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0);
    if (!strcmp(c, "perf_event_open")) syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
    if (!strcmp(c, "userfaultfd")) syscall(SYS_userfaultfd, 0);
    if (!strcmp(c, "tiocsti")) ioctl(0, TIOCSTI, "x");
    /* CVE-2019-10063: high bits set, the kernel still sees TIOCSTI */
    if (!strcmp(c, "tiocsti-high")) syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI | (1ul << 32), "x");
    if (!strcmp(c, "x32")) syscall(0x40000000 | 39 /* getpid, x32 ABI */);
    if (!strcmp(c, "inet")) socket(AF_INET, SOCK_STREAM, 0);
    if (!strcmp(c, "ioctl-ok")) { /* an ordinary ioctl must keep working */
        int n = 0;
        if (ioctl(1, FIONREAD, &n) < 0 && errno != ENOTTY && errno != EINVAL) return blocked("FIONREAD");
        printf("ioctl ok\n");
        return 0;
    }
    if (!strncmp(c, "ptrace", 6) || !strcmp(c, "mount") || !strcmp(c, "umount") ||
        !strcmp(c, "pivot_root") || !strcmp(c, "unshare") || !strcmp(c, "setns") ||
        !strcmp(c, "clone-newns") || !strcmp(c, "keyctl") || !strcmp(c, "bpf") ||
        !strcmp(c, "io_uring") || !strcmp(c, "open_by_handle_at") || !strcmp(c, "perf_event_open") ||
        !strcmp(c, "userfaultfd") || !strncmp(c, "tiocsti", 7) || !strcmp(c, "x32") || !strcmp(c, "inet"))
        return escaped(c);

    /* network: arg is a port on 127.0.0.1 (needs a profile with inet sockets) */
    if (!strcmp(c, "connect")) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) return blocked("socket");
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(arg))};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(s, (struct sockaddr*)&a, sizeof a) < 0) return blocked("connect 127.0.0.1");
        return escaped("connect 127.0.0.1");
    }
    if (!strcmp(c, "abstract-connect")) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        strncpy(a.sun_path + 1, arg, sizeof a.sun_path - 2);
        socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(arg));
        if (connect(s, (struct sockaddr*)&a, len) < 0) return blocked("abstract connect");
        return escaped("abstract connect");
    }
    if (!strcmp(c, "abstract-listen")) { /* holds an abstract socket for a while */
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        strncpy(a.sun_path + 1, arg, sizeof a.sun_path - 2);
        socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(arg));
        if (bind(s, (struct sockaddr*)&a, len) < 0 || listen(s, 1) < 0) return blocked("abstract listen");
        printf("listening\n");
        sleep(3);
        return 0;
    }

    /* leftovers between runs */
    if (!strcmp(c, "leave-ipc")) {
        int id = shmget(0x52494e47, 4096, IPC_CREAT | 0666);
        int fd = open("/dev/shm/ringfence-leftover", O_CREAT | O_WRONLY, 0666);
        int tfd = open("/tmp/ringfence-leftover", O_CREAT | O_WRONLY, 0666);
        printf("shm=%d devshm=%d tmp=%d\n", id, fd, tfd);
        return (id < 0 || fd < 0 || tfd < 0) ? 1 : 0;
    }
    if (!strcmp(c, "find-ipc")) {
        int found = 0;
        if (shmget(0x52494e47, 0, 0) >= 0) found |= 1;
        if (access("/dev/shm/ringfence-leftover", F_OK) == 0) found |= 2;
        if (access("/tmp/ringfence-leftover", F_OK) == 0) found |= 4;
        if (found) return escaped("leftovers from an earlier run are visible");
        printf("blocked: no leftovers\n");
        return 0;
    }

    /* resource abuse */
    if (!strcmp(c, "fork-bomb"))
        for (;;) fork();
    if (!strcmp(c, "thread-bomb")) {
        for (int i = 0; i < 100000; ++i) {
            pthread_t t;
            if (pthread_create(&t, NULL, spin, NULL) != 0) return 3;  /* refused: exits non-zero */
        }
        return escaped("100000 threads");
    }
    if (!strcmp(c, "memory-bomb")) {
        for (;;) {
            char* p = malloc(1 << 20);
            if (!p) return 4;
            memset(p, 1, 1 << 20);
        }
    }
    if (!strcmp(c, "stack-overflow")) return recurse(0);
    if (!strcmp(c, "spin-threads")) { /* arg: thread count */
        int n = atoi(arg);
        for (int i = 1; i < n; ++i) {
            pthread_t t;
            pthread_create(&t, NULL, spin, NULL);
        }
        spin(NULL);
    }
    if (!strcmp(c, "burn-threads")) { /* 4 threads x arg ms of CPU each, then exit 0 */
        long ms = atol(arg);
        pthread_t t[4];
        for (int i = 0; i < 4; ++i) pthread_create(&t[i], NULL, burn, (void*)(intptr_t)ms);
        for (int i = 0; i < 4; ++i) pthread_join(t[i], NULL);
        return 0;
    }
    if (!strcmp(c, "sleep")) for (;;) pause();
    if (!strcmp(c, "flood")) {
        static char buf[65536];
        memset(buf, 'x', sizeof buf);
        for (;;)
            if (write(1, buf, sizeof buf) < 0) return 5;
    }
    if (!strcmp(c, "disk-fill")) { /* arg: directory */
        char path[256];
        snprintf(path, sizeof path, "%s/fill", arg);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        static char buf[65536];
        long total = 0;
        signal(SIGXFSZ, SIG_IGN);
        for (;;) {
            ssize_t w = write(fd, buf, sizeof buf);
            if (w < 0) {
                printf("blocked: disk fill stopped after %ld KiB: %s\n", total / 1024, strerror(errno));
                return 0;
            }
            total += w;
        }
    }
    if (!strcmp(c, "big-file")) { /* exceeds RLIMIT_FSIZE, default SIGXFSZ */
        int fd = open("/box/big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        static char buf[65536];
        for (;;)
            if (write(fd, buf, sizeof buf) < 0) return 6;
    }
    if (!strcmp(c, "fd-exhaust")) {
        int n = 0;
        while (open("/dev/null", O_RDONLY) >= 0) ++n;
        printf("blocked: opened %d more fds: %s\n", n, strerror(errno));
        return 0;
    }
    if (!strcmp(c, "daemon")) { /* arg: file to keep appending to */
        pid_t p = fork();
        if (p == 0) {
            setsid();
            if (fork() == 0) {
                for (;;) {
                    int fd = open(arg, O_WRONLY | O_CREAT | O_APPEND, 0666);
                    if (fd >= 0) {
                        if (write(fd, "x", 1) < 0) _exit(1);
                        close(fd);
                    }
                    usleep(20000);
                }
            }
            _exit(0);
        }
        waitpid(p, NULL, 0);
        usleep(200000);
        printf("daemon started\n");
        return 0;
    }
    if (!strcmp(c, "stopped-child")) {
        pid_t p = fork();
        if (p == 0) {
            raise(SIGSTOP);
            _exit(0);
        }
        usleep(100000);
        printf("child stopped\n");
        return 0;
    }
    if (!strcmp(c, "kill-all")) {
        kill(-1, SIGKILL);
        printf("survived kill(-1)\n");
        return 0;
    }
    if (!strcmp(c, "kill-parent")) {
        if (kill(getppid(), SIGKILL) < 0) return blocked("kill parent");
        usleep(200000);
        return escaped("kill parent");
    }
    if (!strcmp(c, "exit")) return atoi(arg);
    if (!strcmp(c, "abort")) abort();
    fprintf(stderr, "unknown case %s\n", c);
    return 2;
}
