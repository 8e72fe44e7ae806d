// containment-probe: prints what a process sees from inside a sandbox, one
// "key value" line per fact, for tests to assert on.
//
//   ids          pid, ppid, uid, gid and supplementary groups
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
//   exit N       exit with status N
//   call NAME    make one system call for the seccomp tests (calls.c)
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
    printf("\n");
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

void probe_call(const char *name);

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
        } else if (!strcmp(command, "call") && i + 1 < argc) probe_call(argv[++i]);
        else if (!strcmp(command, "exit") && i + 1 < argc) {
            fflush(stdout);
            return atoi(argv[++i]);
        } else {
            fprintf(stderr, "containment-probe: unknown command %s\n", command);
            return 2;
        }
    }
    return 0;
}
