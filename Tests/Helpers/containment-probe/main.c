// containment-probe: prints what a process sees from inside a sandbox, one
// "key value" line per fact, for tests to assert on.
//
//   ids          pid, ppid, uid, gid, supplementary groups and euid
//   ns           the inode of each /proc/self/ns entry
//   maps         uid_map and gid_map
//   hostname     hostname and domain name
//   interfaces   every network interface and whether it is UP
//   fds          the open descriptors
//   monotonic    CLOCK_MONOTONIC in seconds
//   orphan       double-fork; report whether the orphan was reaped
//   wait-signal  print "ready", exit 42 on SIGTERM
//   listen       LISTEN_FDS, LISTEN_PID, own pid, and whether fd 3 listens
//   cwd          the working directory
//   status       CapInh/CapPrm/CapEff/CapBnd/CapAmb/NoNewPrivs/Seccomp/Groups
//                of /proc/self/status
//   rlimits      soft and hard limit of every RLIMIT_* ("rlimit N SOFT HARD")
//   open-files   open /dev/null until it fails; print the count and errno
//   write-file PATH BYTES  write BYTES bytes (SIGXFSZ ignored); print the
//                bytes written and the errno
//   spin         burn CPU forever
//   read PATH / write PATH  open PATH to read / create and write it
//   bind PORT / connect PORT  TCP on 127.0.0.1:PORT; print ok or the errno
//   exit N       exit with status N
//   mounts       each mount: "mount POINT TYPE OPTIONS SUPER-OPTIONS"
//   read PATH    "read PATH ok BYTES" or the errno; "content PATH LINE" lines
//   write PATH   create or truncate PATH and write to it: "write PATH ok|ERRNO"
//   ls PATH      "entry PATH NAME" for each entry, or "ls PATH ERRNO"
//   pty          open /dev/ptmx and its peer: "pty ok PEER" or the errno
//   alloc MIB    allocate and touch MIB mebibytes, print "allocated MIB"
//   forkbomb     fork without end; exit 1 after 50 failed forks of its own
//   spin         burn CPU forever
//   report PATH  count in a busy loop; every 5 ms replace PATH with
//                "count N" and "cpus <Cpus_allowed_list>"
//   daemons N    start N double-forked daemons, print "daemon PID" for
//                each and "ready", then sleep
//   orphan-spin MS  start a double-forked orphan that burns CPU without end;
//                print "spinning MS" and exit once it has used MS ms
//   call NAME    make one system call for the seccomp tests (calls.c)
//   netview      the network namespace as a fresh one must look: "link NAME
//                FLAGS MTU", "net FILE LINE" of address and route tables
//                (ipv6_route without its reference and use counts),
//                "sockets FILE LINES" of every socket table, and "sysctl
//                PATH VALUE" of every file under /proc/sys/net
//   serve PORT   listen on 127.0.0.1:PORT in a double-forked daemon that
//                lingers until killed; print "serving PORT ok|ERRNO"
//   sysctl-write PATH VALUE  write a sysctl: "sysctl-write PATH ok|ERRNO"
//   keyring NAME find the "user" key NAME in the user keyring and print "key
//                NAME found VALUE", or add it and print "key NAME added|ERRNO"
//   loopback-rst PORT  a TCP connection over 127.0.0.1:PORT that the server
//                closes and the client resets, so neither end stays in
//                TIME_WAIT: "loopback-rst PORT ok|ERRNO"
//   linger-socket PID MS  (on the host, as root) open a socket in the network
//                namespace of process PID, print "lingering ok|ERRNO", and
//                close it MS milliseconds after PID exited
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void print_file(const char *label, const char *path) {
    FILE *f = fopen(path, "r");
    char line[256];
    if (!f) { printf("%s missing\n", label); return; }
    while (fgets(line, sizeof line, f)) printf("%s %s", label, line);
    fclose(f);
}

static void ids(void) {
    gid_t groups[64];
    int count = getgroups(64, groups);
    printf("pid %d\nppid %d\nuid %d\ngid %d\ngroups", getpid(), getppid(), getuid(), getgid());
    for (int i = 0; i < count; i++) printf(" %d", groups[i]);
    printf("\neuid %d\n", geteuid());
}

static void namespaces(void) {
    const char *kinds[] = {"user", "pid", "mnt", "uts", "ipc", "net", "cgroup", "time"};
    for (unsigned i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof path, "/proc/self/ns/%s", kinds[i]);
        if (stat(path, &st) == 0) printf("ns %s %lu\n", kinds[i], (unsigned long)st.st_ino);
    }
}

static void interfaces(void) {
    FILE *f = fopen("/proc/net/dev", "r");
    char line[512];
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = 0;
        char *name = line;
        while (*name == ' ') name++;
        struct ifreq request = {0};
        strncpy(request.ifr_name, name, IFNAMSIZ - 1);
        int up = ioctl(sock, SIOCGIFFLAGS, &request) == 0 && (request.ifr_flags & IFF_UP);
        printf("interface %s %s\n", name, up ? "UP" : "DOWN");
    }
    fclose(f);
    close(sock);
}

static void fds(void) {
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *entry;
    if (!dir) return;
    while ((entry = readdir(dir))) {
        if (entry->d_name[0] == '.' || atoi(entry->d_name) == dirfd(dir)) continue;
        char path[64], target[256] = {0};
        snprintf(path, sizeof path, "/proc/self/fd/%s", entry->d_name);
        readlink(path, target, sizeof target - 1);
        printf("fd %s %s\n", entry->d_name, target);
    }
    closedir(dir);
}

static void orphan(void) {
    int channel[2];
    pipe(channel);
    pid_t middle = fork();
    if (middle == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) _exit(0);
        write(channel[1], &grandchild, sizeof grandchild);
        _exit(0);
    }
    pid_t grandchild = 0;
    read(channel[0], &grandchild, sizeof grandchild);
    waitpid(middle, NULL, 0);
    usleep(300 * 1000);
    // A zombie still answers kill(pid, 0); a reaped process does not.
    printf("orphan %s\n", kill(grandchild, 0) == 0 ? "zombie" : "reaped");
}

static volatile sig_atomic_t terminated;
static void on_term(int sig) { (void)sig; terminated = 1; }

static void wait_signal(void) {
    signal(SIGTERM, on_term);
    printf("ready\n");
    fflush(stdout);
    while (!terminated) pause();
    printf("got SIGTERM\n");
    fflush(stdout);
    exit(42);
}

static void listen_info(void) {
    int accepting = 0;
    socklen_t size = sizeof accepting;
    int ok = getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &size) == 0;
    const char *fds_env = getenv("LISTEN_FDS"), *pid_env = getenv("LISTEN_PID");
    printf("LISTEN_FDS %s\nLISTEN_PID %s\npid %d\nfd3 %s\n", fds_env ? fds_env : "-", pid_env ? pid_env : "-",
           getpid(), ok && accepting ? "listening" : "not-listening");
}

static void mounts(void) {
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[4096];
    if (!f) { printf("mounts %s\n", strerrorname_np(errno)); return; }
    while (fgets(line, sizeof line, f)) {
        // ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER
        char point[1024], options[512], type[64], source[1024], super[1024];
        char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%*s %*s %*s %*s %1023s %511s", point, options) != 2) continue;
        if (sscanf(dash + 3, "%63s %1023s %1023s", type, source, super) != 3) continue;
        printf("mount %s %s %s %s\n", point, type, options, super);
    }
    fclose(f);
}

static void read_path(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) { printf("read %s %s\n", path, strerrorname_np(errno)); return; }
    char buffer[4096];
    ssize_t total = 0, count;
    char first[4096] = {0};
    while ((count = read(fd, buffer, sizeof buffer)) > 0) {
        if (total == 0) memcpy(first, buffer, count < (ssize_t)sizeof first - 1 ? count : (ssize_t)sizeof first - 1);
        total += count;
    }
    if (count < 0) printf("read %s %s\n", path, strerrorname_np(errno));
    else printf("read %s ok %zd\n", path, total);
    for (char *line = strtok(first, "\n"); line; line = strtok(NULL, "\n")) printf("content %s %s\n", path, line);
    close(fd);
}

static void write_path(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, "written\n", 8) != 8) { printf("write %s %s\n", path, strerrorname_np(errno)); return; }
    close(fd);
    printf("write %s ok\n", path);
}

static void list(const char *path) {
    DIR *dir = opendir(path);
    struct dirent *entry;
    if (!dir) { printf("ls %s %s\n", path, strerrorname_np(errno)); return; }
    while ((entry = readdir(dir))) {
        if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..")) printf("entry %s %s\n", path, entry->d_name);
    }
    closedir(dir);
}

static void pty(void) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) { printf("pty %s\n", strerrorname_np(errno)); return; }
    const char *peer = ptsname(master);
    int slave = peer ? open(peer, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    if (slave < 0) { printf("pty %s\n", strerrorname_np(errno)); return; }
    printf("pty ok %s\n", peer);
    close(slave);
    close(master);
}

static void alloc(long mebibytes) {
    for (long i = 0; i < mebibytes; i++) {
        char *block = malloc(1 << 20);
        if (!block) { printf("allocation failed at %ld\n", i); return; }
        memset(block, 1, 1 << 20);
    }
    printf("allocated %ld\n", mebibytes);
}

static void forkbomb(void) {
    pid_t root = getpid();
    int failures = 0;
    for (;;) {
        if (fork() < 0) {
            if (getpid() == root && ++failures >= 50) exit(1);
            usleep(getpid() == root ? 1000 : 10000);
        }
    }
}

static void report(const char *path) {
    char temporary[4096], text[512], cpus[256] = "?";
    unsigned long count = 0;
    struct timespec last = {0}, now;
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    for (;;) {
        count++;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - last.tv_sec) * 1000000000L + now.tv_nsec - last.tv_nsec < 5000000L) continue;
        last = now;
        FILE *status = fopen("/proc/self/status", "r");
        char line[512];
        while (status && fgets(line, sizeof line, status))
            if (!strncmp(line, "Cpus_allowed_list:", 18)) sscanf(line + 18, "%255s", cpus);
        if (status) fclose(status);
        FILE *out = fopen(temporary, "w");
        if (!out) continue;
        snprintf(text, sizeof text, "count %lu\ncpus %s\n", count, cpus);
        fputs(text, out);
        fclose(out);
        rename(temporary, path);
    }
}

static void daemons(int count) {
    for (int i = 0; i < count; i++) {
        int channel[2];
        pipe(channel);
        pid_t middle = fork();
        if (middle == 0) {
            setsid();
            pid_t daemon = fork();
            if (daemon == 0) { for (;;) pause(); }
            write(channel[1], &daemon, sizeof daemon);
            _exit(0);
        }
        pid_t daemon = 0;
        read(channel[0], &daemon, sizeof daemon);
        waitpid(middle, NULL, 0);
        printf("daemon %d\n", daemon);
    }
    printf("ready\n");
    fflush(stdout);
    for (;;) pause();
}
static void orphan_spin(long ms) {
    int channel[2];
    pipe(channel);
    pid_t middle = fork();
    if (middle == 0) {
        if (fork() == 0) {
            close(channel[0]);
            for (int told = 0;;) {
                struct timespec used;
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used);
                if (!told && used.tv_sec * 1000 + used.tv_nsec / 1000000 >= ms) told = write(channel[1], "x", 1) == 1;
            }
        }
        _exit(0);
    }
    close(channel[1]);
    waitpid(middle, NULL, 0);
    char byte;
    if (read(channel[0], &byte, 1) == 1) printf("spinning %ld\n", ms);
}

static const char *outcome(int ok);

static void serve(int port) {
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = bind(sock, (struct sockaddr *)&address, sizeof address) == 0 && listen(sock, 8) == 0;
    printf("serving %d %s\n", port, outcome(ok));
    fflush(stdout);
    if (!ok) return;
    pid_t middle = fork();
    if (middle == 0) {
        setsid();
        if (fork() == 0) { for (;;) pause(); }
        _exit(0);
    }
    waitpid(middle, NULL, 0);
    close(sock);
}

static void keyring(const char *name) {
    // keyctl(2): KEYCTL_SEARCH 10, KEYCTL_READ 11; KEY_SPEC_USER_KEYRING -4.
    long key = syscall(SYS_keyctl, 10, -4, "user", name, 0);
    if (key >= 0) {
        char value[256] = {0};
        long length = syscall(SYS_keyctl, 11, key, value, sizeof value - 1);
        printf("key %s found %s\n", name, length >= 0 ? value : strerrorname_np(errno));
        return;
    }
    char value[64];
    snprintf(value, sizeof value, "secret-of-%d", getpid());
    int added = syscall(SYS_add_key, "user", name, value, strlen(value), -4) >= 0;
    printf("key %s added %s\n", name, added ? value : strerrorname_np(errno));
}

static void loopback_reset(int port) {
    int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = bind(server, (struct sockaddr *)&address, sizeof address) == 0 && listen(server, 1) == 0 &&
             connect(client, (struct sockaddr *)&address, sizeof address) == 0;
    int accepted = ok ? accept4(server, NULL, NULL, SOCK_CLOEXEC) : -1;
    char byte = 'x';
    ok = accepted >= 0 && write(client, &byte, 1) == 1 && read(accepted, &byte, 1) == 1;
    printf("loopback-rst %d %s\n", port, outcome(ok));
    if (accepted >= 0) close(accepted);
    usleep(20000);
    struct linger reset = {.l_onoff = 1, .l_linger = 0};
    setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(client);
    close(server);
}

static void linger_socket(int pid, int milliseconds) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", pid);
    int namespace = open(path, O_RDONLY | O_CLOEXEC), home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), sock = -1;
    if (namespace >= 0 && home >= 0 && pidfd >= 0 && setns(namespace, CLONE_NEWNET) == 0) {
        sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (setns(home, CLONE_NEWNET) != 0) sock = -1;
    }
    printf("lingering %s\n", outcome(sock >= 0));
    fflush(stdout);
    if (sock < 0) return;
    struct pollfd end = {.fd = pidfd, .events = POLLIN};
    while (poll(&end, 1, -1) < 0 && errno == EINTR) {}
    usleep(milliseconds * 1000);
    close(sock);
}

static void netview_sysctls(const char *path) {
    DIR *dir = opendir(path);
    struct dirent *entry;
    if (!dir) return;
    while ((entry = readdir(dir))) {
        if (entry->d_name[0] == '.') continue;
        char child[1024];
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        if (entry->d_type == DT_DIR) { netview_sysctls(child); continue; }
        char value[4096] = {0};
        int fd = open(child, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        ssize_t n = fd >= 0 ? read(fd, value, sizeof value - 1) : -1;
        if (n < 0) snprintf(value, sizeof value, "!%s", strerrorname_np(errno));
        for (char *c = value; *c; c++) if (*c == '\n' || *c == '\t') *c = ' ';
        printf("sysctl %s %s\n", child, value);
        if (fd >= 0) close(fd);
    }
    closedir(dir);
}

static void netview(void) {
    struct if_nameindex *names = if_nameindex();
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    for (struct if_nameindex *i = names; i && i->if_index; i++) {
        struct ifreq request = {0};
        strncpy(request.ifr_name, i->if_name, IFNAMSIZ - 1);
        int flags = ioctl(sock, SIOCGIFFLAGS, &request) == 0 ? request.ifr_flags : -1;
        int mtu = ioctl(sock, SIOCGIFMTU, &request) == 0 ? request.ifr_mtu : -1;
        printf("link %s %#x %d\n", i->if_name, flags, mtu);
    }
    if (names) if_freenameindex(names);
    close(sock);
    const char *tables[] = {"if_inet6", "fib_trie", "route", "ipv6_route", "igmp", "igmp6", "anycast6"};
    for (unsigned t = 0; t < sizeof tables / sizeof *tables; t++) {
        char path[64], line[512];
        snprintf(path, sizeof path, "/proc/net/%s", tables[t]);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = 0;
            if (!strcmp(tables[t], "ipv6_route")) {
                char c[10][40];
                if (sscanf(line, "%39s %39s %39s %39s %39s %39s %39s %39s %39s %39s", c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]) == 10)
                    snprintf(line, sizeof line, "%s %s %s %s %s %s %s %s", c[0], c[1], c[2], c[3], c[4], c[5], c[8], c[9]);
            }
            printf("net %s %s\n", tables[t], line);
        }
        if (f) fclose(f);
    }
    const char *sockets[] = {"tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix", "packet"};
    for (unsigned t = 0; t < sizeof sockets / sizeof *sockets; t++) {
        char path[64], line[1024];
        int lines = 0;
        snprintf(path, sizeof path, "/proc/net/%s", sockets[t]);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f)) lines++;
        if (f) fclose(f);
        printf("sockets %s %d\n", sockets[t], lines);
    }
    netview_sysctls("/proc/sys/net");
}

void probe_call(const char *name);
static const char *outcome(int ok) { return ok ? "ok" : strerrorname_np(errno); }

static void status(void) {
    const char *keys[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:", "Groups:"};
    FILE *f = fopen("/proc/self/status", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        for (unsigned i = 0; i < sizeof keys / sizeof *keys; i++) {
            size_t n = strlen(keys[i]);
            if (strncmp(line, keys[i], n)) continue;
            char *value = line + n;
            while (*value == '\t' || *value == ' ') value++;
            printf("%.*s %s", (int)n - 1, line, *value ? value : "\n");
        }
    }
    if (f) fclose(f);
}

static void rlimits(void) {
    for (int kind = 0; kind < RLIM_NLIMITS; kind++) {
        struct rlimit limit;
        getrlimit(kind, &limit);
        printf("rlimit %d", kind);
        rlim_t values[] = {limit.rlim_cur, limit.rlim_max};
        for (int i = 0; i < 2; i++) {
            if (values[i] == RLIM_INFINITY) printf(" unlimited");
            else printf(" %llu", (unsigned long long)values[i]);
        }
        printf("\n");
    }
}

static void open_files(void) {
    int count = 0, fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0) count++;
    printf("open-files %d %s\n", count, strerrorname_np(errno));
}

static void write_file(const char *path, long bytes) {
    signal(SIGXFSZ, SIG_IGN);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char block[4096] = {0};
    long written = 0;
    int error = 0;
    while (fd >= 0 && written < bytes) {
        ssize_t n = write(fd, block, bytes - written < (long)sizeof block ? (size_t)(bytes - written) : sizeof block);
        if (n < 0) { error = errno; break; }
        written += n;
    }
    if (fd < 0) error = errno;
    printf("write-file %ld %s\n", written, error ? strerrorname_np(error) : "ok");
}

static void tcp(const char *verb, int port) {
    int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = !strcmp(verb, "bind") ? bind(sock, (struct sockaddr *)&address, sizeof address) == 0
                                   : connect(sock, (struct sockaddr *)&address, sizeof address) == 0;
    printf("%s %d %s\n", verb, port, outcome(ok));
    close(sock);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *command = argv[i];
        if (!strcmp(command, "ids")) ids();
        else if (!strcmp(command, "ns")) namespaces();
        else if (!strcmp(command, "maps")) {
            print_file("uid_map", "/proc/self/uid_map");
            print_file("gid_map", "/proc/self/gid_map");
        } else if (!strcmp(command, "hostname")) {
            struct utsname name;
            uname(&name);
            printf("hostname %s\ndomainname %s\n", name.nodename, name.domainname);
        } else if (!strcmp(command, "interfaces")) interfaces();
        else if (!strcmp(command, "fds")) fds();
        else if (!strcmp(command, "monotonic")) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            printf("monotonic %ld\n", (long)now.tv_sec);
        } else if (!strcmp(command, "orphan")) orphan();
        else if (!strcmp(command, "wait-signal")) wait_signal();
        else if (!strcmp(command, "listen")) listen_info();
        else if (!strcmp(command, "cwd")) {
            char path[4096];
            printf("cwd %s\n", getcwd(path, sizeof path) ? path : "?");
        } else if (!strcmp(command, "mounts")) mounts();
        else if (!strcmp(command, "read") && i + 1 < argc) read_path(argv[++i]);
        else if (!strcmp(command, "write") && i + 1 < argc) write_path(argv[++i]);
        else if (!strcmp(command, "ls") && i + 1 < argc) list(argv[++i]);
        else if (!strcmp(command, "pty")) pty();
        else if (!strcmp(command, "alloc") && i + 1 < argc) alloc(atol(argv[++i]));
        else if (!strcmp(command, "forkbomb")) forkbomb();
        else if (!strcmp(command, "spin")) for (;;) {}
        else if (!strcmp(command, "report") && i + 1 < argc) report(argv[++i]);
        else if (!strcmp(command, "daemons") && i + 1 < argc) daemons(atoi(argv[++i]));
        else if (!strcmp(command, "orphan-spin") && i + 1 < argc) orphan_spin(atol(argv[++i]));
        else if (!strcmp(command, "call") && i + 1 < argc) probe_call(argv[++i]);
        else if (!strcmp(command, "status")) status();
        else if (!strcmp(command, "rlimits")) rlimits();
        else if (!strcmp(command, "open-files")) open_files();
        else if (!strcmp(command, "write-file") && i + 2 < argc) {
            write_file(argv[i + 1], atol(argv[i + 2]));
            i += 2;
        } else if (!strcmp(command, "open-read") && i + 1 < argc) {
            int fd = open(argv[++i], O_RDONLY);
            printf("open-read %s %s\n", argv[i], outcome(fd >= 0));
        } else if (!strcmp(command, "open-write") && i + 1 < argc) {
            int fd = open(argv[++i], O_WRONLY | O_CREAT, 0644);
            printf("open-write %s %s\n", argv[i], outcome(fd >= 0 && write(fd, "x", 1) == 1));
        } else if ((!strcmp(command, "bind") || !strcmp(command, "connect")) && i + 1 < argc) {
            tcp(command, atoi(argv[i + 1]));
            i++;
        } else if (!strcmp(command, "netview")) netview();
        else if (!strcmp(command, "serve") && i + 1 < argc) serve(atoi(argv[++i]));
        else if (!strcmp(command, "keyring") && i + 1 < argc) keyring(argv[++i]);
        else if (!strcmp(command, "loopback-rst") && i + 1 < argc) loopback_reset(atoi(argv[++i]));
        else if (!strcmp(command, "linger-socket") && i + 2 < argc) {
            linger_socket(atoi(argv[i + 1]), atoi(argv[i + 2]));
            i += 2;
        }
        else if (!strcmp(command, "sysctl-write") && i + 2 < argc) {
            int fd = open(argv[i + 1], O_WRONLY | O_CLOEXEC);
            int ok = fd >= 0 && write(fd, argv[i + 2], strlen(argv[i + 2])) >= 0;
            printf("sysctl-write %s %s\n", argv[i + 1], outcome(ok));
            if (fd >= 0) close(fd);
            i += 2;
        } else if (!strcmp(command, "exit") && i + 1 < argc) {
            fflush(stdout);
            return atoi(argv[++i]);
        } else {
            fprintf(stderr, "containment-probe: unknown command %s\n", command);
            return 2;
        }
    }
    return 0;
}
