// Host-side helpers: called by the parent, never by a spawn child.
#define _GNU_SOURCE
#include "cn_host.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int cn_result(long r) { return r < 0 ? -errno : (int)r; }

int cn_wait_pidfd(int pidfd, int32_t *status, struct rusage *usage) {
    siginfo_t info = {0};
    long r;
    do {
        r = syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | __WALL, usage);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    *status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : (info.si_status & 0x7f);
    return 0;
}

int cn_pidfd_exited(int pidfd) {
    siginfo_t info = {0};
    long r = syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | WNOHANG | WNOWAIT | __WALL, 0);
    if (r < 0) return -errno;
    return info.si_pid != 0;
}

int cn_pidfd_send_signal(int pidfd, int signal) {
    return cn_result(syscall(SYS_pidfd_send_signal, pidfd, signal, 0, 0));
}

int cn_pidfd_open(int32_t pid) { return cn_result(syscall(SYS_pidfd_open, pid, 0)); }

int cn_pidfd_getfd(int pidfd, int targetfd) {
    return cn_result(syscall(SYS_pidfd_getfd, pidfd, targetfd, 0));
}

int cn_pipe_cloexec(int fds[2]) { return cn_result(pipe2(fds, O_CLOEXEC)); }

long cn_write_without_sigpipe(int fd, const void *bytes, size_t count) {
    sigset_t pipe_only, pending, saved;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    // A SIGPIPE pending from elsewhere is left for its owner.
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &saved);
    long r = write(fd, bytes, count);
    int error = r < 0 ? errno : 0;
    if (error == EPIPE && !was_pending) {
        const struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &now) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    return error ? -error : r;
}

int cn_signalfd_blocking(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    int error = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (error) return -error;
    int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) {
        error = errno;
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        return -error;
    }
    return fd;
}

int cn_signalfd_next(int fd) {
    struct signalfd_siginfo info;
    ssize_t r;
    do {
        r = read(fd, &info, sizeof info);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return errno == EAGAIN ? 0 : -errno;
    return r == sizeof info ? (int)info.ssi_signo : -EIO;
}

int cn_timer_after(int64_t nanoseconds) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (fd < 0) return -errno;
    // A zero it_value disarms a timer: a deadline already passed fires in 1 ns.
    if (nanoseconds < 1) nanoseconds = 1;
    struct itimerspec due = {.it_value = {.tv_sec = nanoseconds / 1000000000, .tv_nsec = nanoseconds % 1000000000}};
    if (timerfd_settime(fd, 0, &due, NULL) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int cn_sealed_memfd(const char *name, const void *bytes, size_t size) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -errno;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, (const char *)bytes + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) goto fail;
        done += (size_t)n;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) goto fail;
    return fd;
fail:;
    int error = errno ? errno : EIO;
    close(fd);
    return -error;
}

int cn_seccomp_action_available(uint32_t action) {
    return cn_result(syscall(SYS_seccomp, 2 /* SECCOMP_GET_ACTION_AVAIL */, 0, &action));
}

int cn_seccomp_notification_sizes(uint16_t sizes[3]) {
    return cn_result(syscall(SYS_seccomp, 3 /* SECCOMP_GET_NOTIF_SIZES */, 0, sizes));
}

int cn_name_thread(const char *name) { return cn_result(prctl(PR_SET_NAME, name, 0, 0, 0)); }

int cn_seccomp_mode(void) { return cn_result(prctl(PR_GET_SECCOMP, 0, 0, 0, 0)); }

int cn_mount_setattr_probe(void) {
#ifdef SYS_mount_setattr
    return cn_result(syscall(SYS_mount_setattr, -1, "", 0, (void *)0, (size_t)0));
#else
    return -ENOSYS;
#endif
}

const char *cn_signal_name(int signal) { return sigabbrev_np(signal); }
