// Host-side helpers of the spawn core: system calls Swift cannot make
// directly (glibc's syscall(2) is variadic) on a child's pidfd.
#ifndef CN_HOST_H
#define CN_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

/// waitid(P_PIDFD, pidfd, WEXITED | __WALL) with the child's rusage, as the
/// raw system call offers it. Stores a wait(2)-style status word. Returns 0
/// or a negated errno.
int cn_wait_pidfd(int pidfd, int32_t *status, struct rusage *usage);

/// waitid(P_PIDFD, pidfd, WEXITED | WNOHANG | WNOWAIT | __WALL): 1 when the
/// child has exited (without reaping it), 0 when it runs, or a negated errno.
int cn_pidfd_exited(int pidfd);

/// pidfd_send_signal(pidfd, signal, NULL, 0). Returns 0 or a negated errno.
int cn_pidfd_send_signal(int pidfd, int signal);

/// pidfd_open(pid, 0). Returns the descriptor or a negated errno.
int cn_pidfd_open(int32_t pid);

/// pidfd_getfd(pidfd, targetfd, 0). Returns the descriptor or a negated errno.
int cn_pidfd_getfd(int pidfd, int targetfd);

/// pipe2(fds, O_CLOEXEC). Returns 0 or a negated errno.
int cn_pipe_cloexec(int fds[2]);

/// Blocks the `count` signals of `signals` in the calling thread
/// (pthread_sigmask(3)) and returns a close-on-exec, non-blocking
/// signalfd(2) that reads them; or a negated errno, with nothing left
/// blocked.
int cn_signalfd_blocking(const int *signals, int count);

/// The number of the next signal pending on signalfd `fd`, 0 when none is,
/// or a negated errno.
int cn_signalfd_next(int fd);

/// write(2) to a pipe without SIGPIPE: a reader that went away is EPIPE for
/// the caller, not a signal that ends the host process. SIGPIPE is blocked
/// in the calling thread for the call and a SIGPIPE the write raised is
/// taken back with sigtimedwait(2) before it is unblocked. Returns the
/// count written or a negated errno.
long cn_write_without_sigpipe(int fd, const void *bytes, size_t count);

/// Names the calling thread (prctl(2) PR_SET_NAME; at most 15 bytes are
/// kept), as top -H, ps -L and debuggers show it. Returns 0 or a negated errno.
int cn_name_thread(const char *name);

/// A close-on-exec, non-blocking timerfd on CLOCK_MONOTONIC that becomes
/// readable once, `nanoseconds` from now (timerfd_create(2) and
/// timerfd_settime(2)). Returns the descriptor or a negated errno.
int cn_timer_after(int64_t nanoseconds);

/// A sealed, close-on-exec memfd holding `bytes` (memfd_create(2) with
/// MFD_ALLOW_SEALING, then F_SEAL_SEAL, SHRINK, GROW and WRITE). Returns the
/// descriptor or a negated errno.
int cn_sealed_memfd(const char *name, const void *bytes, size_t size);

/// seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action): 0 when the kernel knows
/// the filter return `action` (SECCOMP_RET_*), else a negated errno.
int cn_seccomp_action_available(uint32_t action);

/// seccomp(SECCOMP_GET_NOTIF_SIZES, 0, sizes): 0 when the kernel offers
/// user notification (Linux 5.0 or later), else a negated errno. Stores the
/// sizes of seccomp_notif, seccomp_notif_resp and seccomp_data.
int cn_seccomp_notification_sizes(uint16_t sizes[3]);

/// prctl(PR_GET_SECCOMP): the calling thread's seccomp mode (0 none, 1
/// strict, 2 filter), or a negated errno (EINVAL: no CONFIG_SECCOMP).
int cn_seccomp_mode(void);

/// mount_setattr(-1, "", 0, NULL, 0): -EINVAL when the kernel has the
/// system call (and with it idmapped mounts, MOUNT_ATTR_IDMAP), -ENOSYS when
/// not. Changes nothing.
int cn_mount_setattr_probe(void);

/// The abbreviated name of a signal ("TERM"), or NULL (sigabbrev_np(3)).
const char *cn_signal_name(int signal);

/// cn_netns_read's result when the thread could not setns(2) back into
/// `home`: it stays in the inspected namespace and must not be used again.
#define CN_NETNS_STRANDED (-1000L)

/// On the calling thread (a dedicated one: setns(2) of CLONE_NEWNET applies to
/// the calling thread only): enters the network namespace `netns`, appends to
/// `buffer` a record "\0PATH\0CONTENTS" for each file `directory`/NAME of
/// the NULL-terminated `names` (NULL: every file under `directory`, walked
/// recursively), "\0PATH\0!ERRNO" for a file that cannot be read, and
/// enters `home` again. `directory` must name the thread's own view:
/// /proc/thread-self/net, /proc/sys/net. Files are read in chunks of 1 KiB
/// (a sysctl read zeroes a kernel buffer of the size asked for).
///
/// Returns the bytes used; -ENOSPC when `capacity` is too small (call again
/// with more); a negated errno of the first setns (nothing was read) or of
/// opening `directory`; or CN_NETNS_STRANDED.
long cn_netns_read(int netns, int home, const char *directory, const char *const *names, char *buffer,
                   size_t capacity);

/// On the calling thread, as cn_netns_read: enters the network namespace
/// `netns`, empties its TCP metrics cache (the tcp_metrics genetlink family's
/// TCP_METRICS_CMD_DEL without an address, as `ip tcp_metrics flush` does;
/// needs CAP_NET_ADMIN over the namespace), and enters `home` again.
/// Returns 0; a negated errno; or CN_NETNS_STRANDED.
long cn_netns_flush_tcp_metrics(int netns, int home);

#endif
