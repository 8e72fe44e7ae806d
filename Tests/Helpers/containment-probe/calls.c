// containment-probe's "call NAME" command: makes one system call the seccomp
// tests reason about and prints "NAME ok VALUE" or "NAME ERRNO-NAME". Output
// is flushed first, so lines before a call that kills survive.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long int80_getpid(void) {
    long result;
    __asm__ volatile("int $0x80" : "=a"(result) : "a"(20L) : "memory");  // i386 getpid
    return result;
}

static void report(const char *name, long result) {
    if (result < 0) printf("%s %s\n", name, strerrorname_np(errno));
    else printf("%s ok %ld\n", name, result);
}

void probe_call(const char *name) {
    fflush(stdout);
    long r;
    if (!strcmp(name, "socket-unix")) r = socket(AF_UNIX, SOCK_STREAM, 0);
    else if (!strcmp(name, "socket-inet")) r = socket(AF_INET, SOCK_STREAM, 0);
    else if (!strcmp(name, "socket-inet6")) r = socket(AF_INET6, SOCK_DGRAM, 0);
    else if (!strcmp(name, "mkdir")) {
        char path[64];  // unique: tests run in parallel
        snprintf(path, sizeof path, "/tmp/containment-probe-mkdir-%lx", (unsigned long)&path ^ (unsigned long)time(0));
        r = mkdir(path, 0700);
        if (r == 0) rmdir(path);
    } else if (!strcmp(name, "keyctl")) r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    else if (!strcmp(name, "bpf")) r = syscall(SYS_bpf, -1, 0, 0);
    else if (!strcmp(name, "unshare-user")) r = unshare(CLONE_NEWUSER);
    else if (!strcmp(name, "tiocsti")) r = ioctl(0, TIOCSTI, "x");
    else if (!strcmp(name, "tiocsti-high")) r = syscall(SYS_ioctl, 0, TIOCSTI | (1UL << 32), "x");
    else if (!strcmp(name, "tcgets")) r = syscall(SYS_ioctl, 0, TCGETS, 0);
    else if (!strcmp(name, "personality")) r = syscall(SYS_personality, READ_IMPLIES_EXEC);
    else if (!strcmp(name, "getppid")) r = getppid();
    else if (!strcmp(name, "spin")) {  // CPU-bound work: a xorshift walk
        unsigned long x = 88172645463325252UL;
        for (long i = 0; i < 20000000; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        r = (long)(x & 0xffff);
    }
    else if (!strcmp(name, "int80")) {
        r = int80_getpid();
        if (r < 0) errno = (int)-r, r = -1;
    } else if (!strcmp(name, "x32")) r = syscall(SYS_getpid | 0x40000000);
    else if (!strcmp(name, "connect")) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un address = {.sun_family = AF_UNIX, .sun_path = "/nonexistent/probe.sock"};
        printf("connect-fd %d\nconnect-length %zu\n", fd, sizeof address);
        fflush(stdout);
        r = connect(fd, (struct sockaddr *)&address, sizeof address);
    } else {
        printf("%s unknown\n", name);
        return;
    }
    report(name, r);
    fflush(stdout);
}
