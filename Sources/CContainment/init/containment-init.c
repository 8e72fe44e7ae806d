// containment-init: the minimal pid 1 of a sandbox's pid namespace.
//
// A freestanding static program (no libc) that the spawn core executes from a
// sealed memfd. It forks the payload, forwards signals to it, reaps every
// orphan of the namespace, reports the payload's wait status to the host and
// exits with the payload's exit code; the kernel then kills whatever is left
// in the namespace.
//
// argv: containment-init ERROR_FD STATUS_FD SECCOMP_FD SECCOMP_FLAGS NOTIFY_FD
//       EXEC_STEP PATH_COUNT PATH... ARGV...
//   ERROR_FD       where a failed payload exec is reported as a cn_failure
//   STATUS_FD      where the payload's wait status is written (4 bytes)
//   SECCOMP_FD     memfd holding a sock_filter program loaded by the payload
//                  just before exec, or -1
//   SECCOMP_FLAGS  flags for seccomp(SECCOMP_SET_MODE_FILTER)
//   NOTIFY_FD      socket the payload sends its seccomp listener over
//                  (SECCOMP_FILTER_FLAG_NEW_LISTENER), or -1
//   EXEC_STEP      plan step index reported when the payload's exec fails
//   PATH...        candidate paths of the payload's executable
//   ARGV...        the payload's argv
// The environment is passed to the payload unchanged.
#include "../rawsys.h"
#include "../seccomp_load.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/wait.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

typedef unsigned long cn_sigset;  // the kernel's 64-signal set

struct cn_init_siginfo {
    int signo;
    int pad[31];
};

static long parse_long(const char *s) {
    long sign = 1, value = 0;
    if (*s == '-') sign = -1, s++;
    while (*s >= '0' && *s <= '9') value = value * 10 + (*s++ - '0');
    return sign * value;
}

__attribute__((noreturn)) static void payload(char **argv, long paths, long count, char **envp,
                                              long error_fd, long seccomp_fd, long seccomp_flags,
                                              long notify_fd, long exec_step) {
    cn_sigset none = 0;
    cn_sys4(__NR_rt_sigprocmask, SIG_SETMASK, &none, 0, sizeof none);
    long r = 0;
    if (seccomp_fd >= 0) {
        long size = cn_sys3(__NR_lseek, seccomp_fd, 0, 2 /* SEEK_END */);
        void *filter = (void *)cn_syscall6(__NR_mmap, 0, size, PROT_READ, MAP_PRIVATE, seccomp_fd, 0);
        r = cn_is_error((long)filter) ? (long)filter
                                      : cn_seccomp_load(filter, size / (long)sizeof(struct sock_filter),
                                                        seccomp_flags, notify_fd);
    }
    if (r >= 0) {
        r = -ENOENT;
        int saw_eacces = 0;
        for (long i = 0; i < count; i++) {
            r = cn_sys3(__NR_execve, argv[paths + i], argv + paths + count, envp);
            if (r == -EACCES) saw_eacces = 1;
            else if (r != -ENOENT && r != -ENOTDIR) break;
        }
        if (saw_eacces && (r == -ENOENT || r == -ENOTDIR)) r = -EACCES;
    }
    struct {
        uint32_t step;
        int32_t error;
    } failure = {(uint32_t)exec_step, (int32_t)-r};
    cn_sys3(__NR_write, error_fd, &failure, sizeof failure);
    cn_exit(127);
}

__attribute__((used)) void cn_init_main(long *stack) {
    long argc = stack[0];
    char **argv = (char **)(stack + 1);
    char **envp = argv + argc + 1;
    if (argc < 9) cn_exit(126);
    long error_fd = parse_long(argv[1]);
    long status_fd = parse_long(argv[2]);
    long seccomp_fd = parse_long(argv[3]);
    long seccomp_flags = parse_long(argv[4]);
    long notify_fd = parse_long(argv[5]);
    long exec_step = parse_long(argv[6]);
    long count = parse_long(argv[7]);

    cn_sigset all = ~0UL;
    cn_sys4(__NR_rt_sigprocmask, SIG_SETMASK, &all, 0, sizeof all);
    cn_sys3(__NR_fcntl, status_fd, F_SETFD, FD_CLOEXEC);
    cn_sys3(__NR_fcntl, error_fd, F_SETFD, FD_CLOEXEC);
    if (seccomp_fd >= 0) cn_sys3(__NR_fcntl, seccomp_fd, F_SETFD, FD_CLOEXEC);
    if (notify_fd >= 0) cn_sys3(__NR_fcntl, notify_fd, F_SETFD, FD_CLOEXEC);

    long child = cn_syscall6(__NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
    if (child == 0) payload(argv, 8, count, envp, error_fd, seccomp_fd, seccomp_flags, notify_fd, exec_step);
    cn_sys1(__NR_close, error_fd);
    if (seccomp_fd >= 0) cn_sys1(__NR_close, seccomp_fd);
    if (notify_fd >= 0) cn_sys1(__NR_close, notify_fd);
    if (child < 0) cn_exit(126);

    for (;;) {
        struct cn_init_siginfo info;
        long sig = cn_sys4(__NR_rt_sigtimedwait, &all, &info, 0, sizeof all);
        if (sig < 0) continue;
        if (sig != SIGCHLD) {
            cn_sys2(__NR_kill, child, sig);
            continue;
        }
        for (;;) {
            int status = 0;
            long reaped = cn_sys4(__NR_wait4, -1, &status, WNOHANG | __WALL, 0);
            if (reaped <= 0) break;
            if (reaped != child) continue;
            cn_sys3(__NR_write, status_fd, &status, sizeof status);
            int code = (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
            cn_exit(code);
        }
    }
}

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "  xor %ebp, %ebp\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call cn_init_main\n"
        "  hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "  mov x29, #0\n"
        "  mov x30, #0\n"
        "  mov x0, sp\n"
        "  bl cn_init_main\n"
        "  brk #0\n");
#endif
