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

/* The abstract unix address `name`; its length. */
static socklen_t abstract_address(struct sockaddr_un* a, const char* name) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strncpy(a->sun_path + 1, name, sizeof a->sun_path - 2);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/* A listening abstract unix socket named `name`, or -1. */
static int abstract_listen(const char* name) {
    struct sockaddr_un a;
    socklen_t len = abstract_address(&a, name);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || bind(s, (struct sockaddr*)&a, len) < 0 || listen(s, 1) < 0) return -1;
    return s;
}

static int abstract_reachable(const char* name) {
    struct sockaddr_un a;
    socklen_t len = abstract_address(&a, name);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    int ok = s >= 0 && connect(s, (struct sockaddr*)&a, len) == 0;
    if (s >= 0) close(s);
    return ok;
}

static int udp_bind(const char* port) {
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    if (u < 0 || bind(u, (struct sockaddr*)&a, sizeof a) < 0) return -1;
    return u;
}

static void print_netns(void) {
    char link[64] = "";
    if (readlink("/proc/self/ns/net", link, sizeof link - 1) < 0) strcpy(link, "unreadable");
    printf("netns %s\n", link);
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
        if (!abstract_reachable(arg)) return blocked("abstract connect");
        return escaped("abstract connect");
    }
    if (!strcmp(c, "abstract-listen")) { /* holds an abstract socket for a while */
        if (abstract_listen(arg) < 0) return blocked("abstract listen");
        printf("listening\n");
        sleep(3);
        return 0;
    }

    /* network namespaces go from one sandbox to the next: nothing of an
       earlier run may be left in one (arg: a UDP port, which needs inet
       sockets, or 0 for unix sockets only) */
    if (!strcmp(c, "leave-net")) {
        int ready[2];
        if (pipe(ready) < 0) return blocked("pipe");
        print_netns();
        fflush(stdout);
        if (fork() == 0) { /* a daemon, which the sandbox's end must kill with its sockets */
            setsid();
            if (fork() != 0) _exit(0);
            int ok = (atoi(arg) == 0 || udp_bind(arg) >= 0) && abstract_listen("ringfence-leftover") >= 0;
            /* a listener in flight on a socket that is itself only in flight:
               the kernel's garbage collector, not an exit, frees that one */
            int l = abstract_listen("ringfence-inflight"), sv[2];
            if (ok && l >= 0 && socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0) {
                int pass[2] = {l, sv[1]};
                char cbuf[CMSG_SPACE(sizeof pass)] = {0}, byte = 'x';
                struct iovec iov = {&byte, 1};
                struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
                struct cmsghdr* cm = CMSG_FIRSTHDR(&m);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof pass);
                memcpy(CMSG_DATA(cm), pass, sizeof pass);
                ok = sendmsg(sv[0], &m, 0) == 1;
                close(l);
                close(sv[1]);
            } else {
                ok = 0;
            }
            if (write(ready[1], ok ? "y" : "n", 1) != 1) _exit(1);
            for (;;) pause();
        }
        char b = 'n';
        if (read(ready[0], &b, 1) != 1 || b != 'y') return blocked("could not leave sockets behind");
        printf("left sockets behind\n");
        return 0;
    }
    if (!strcmp(c, "find-net")) {
        print_netns();
        int found = 0;
        if (abstract_reachable("ringfence-leftover")) found |= 1;
        if (abstract_reachable("ringfence-inflight")) found |= 2;
        FILE* f = fopen("/proc/net/unix", "r");
        char line[512];
        if (!f) return blocked("reading /proc/net/unix");
        while (fgets(line, sizeof line, f))
            if (strstr(line, "ringfence-leftover") || strstr(line, "ringfence-inflight")) found |= 4;
        fclose(f);
        if (atoi(arg) != 0 && udp_bind(arg) < 0) found |= 8;
        /* Landlock stops a connect to a name, not a bind: a name still taken
           would be a channel of its own */
        if (abstract_listen("ringfence-leftover") < 0 || abstract_listen("ringfence-inflight") < 0) found |= 16;
        if (found) {
            printf("ESCAPED: an earlier run's sockets are still there (%d)\n", found);
            return 1;
        }
        printf("blocked: no sockets of an earlier run\n");
        return 0;
    }
    /* the namespace's cumulative IP counters: a sendto with no route (the
       loopback is down) counts as OutNoRoutes. arg "bump" sends first
       (needs inet sockets), anything else only reads */
    if (!strcmp(c, "noroutes")) {
        if (!strcmp(arg, "bump")) {
            int u = socket(AF_INET, SOCK_DGRAM, 0);
            struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9),
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
            if (u < 0 || sendto(u, "x", 1, 0, (struct sockaddr*)&a, sizeof a) == 1 || errno != ENETUNREACH)
                return blocked("sendto with no route did not fail with ENETUNREACH");
            close(u);
        }
        FILE* f = fopen("/proc/net/snmp", "r");
        char names[2048] = "", values[2048] = "";
        if (!f) return blocked("reading /proc/net/snmp");
        /* "Ip: Forwarding ... OutNoRoutes ..." then "Ip: 2 64 ... N ..." */
        while (fgets(names, sizeof names, f) && fgets(values, sizeof values, f))
            if (!strncmp(names, "Ip:", 3)) break;
        fclose(f);
        int column = -1, i = 0;
        for (char *save, *t = strtok_r(names, " \n", &save); t; t = strtok_r(NULL, " \n", &save), ++i)
            if (!strcmp(t, "OutNoRoutes")) column = i;
        i = 0;
        for (char *save, *t = strtok_r(values, " \n", &save); t; t = strtok_r(NULL, " \n", &save), ++i)
            if (i == column) {
                printf("OutNoRoutes %s\n", t);
                return 0;
            }
        return blocked("no OutNoRoutes in /proc/net/snmp");
    }
    if (!strcmp(c, "netns")) { /* prints the namespace, then holds it arg ms */
        print_netns();
        fflush(stdout);
        usleep((useconds_t)atoi(arg) * 1000);
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
