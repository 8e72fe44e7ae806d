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

/// The abbreviated name of a signal ("TERM"), or NULL (sigabbrev_np(3)).
const char *cn_signal_name(int signal);

#endif
