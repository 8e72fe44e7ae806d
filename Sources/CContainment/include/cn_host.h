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

#endif
