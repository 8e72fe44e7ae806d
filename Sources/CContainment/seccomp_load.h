// Loading a seccomp filter between clone and exec, shared by the spawn core
// and the minimal init. Raw system calls only; everything on the caller's
// stack.
#ifndef CN_SECCOMP_LOAD_H
#define CN_SECCOMP_LOAD_H

#include "rawsys.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/socket.h>

// seccomp(SECCOMP_SET_MODE_FILTER, flags, {count, program}). With
// SECCOMP_FILTER_FLAG_NEW_LISTENER the returned listener is sent over the
// socket `handoff` (SCM_RIGHTS) to the host and left to close on exec: the
// filter is already active, so it must allow sendmsg on `handoff` (the
// SDK's supervised programs do). Returns 0 or a negated errno.
static inline long cn_seccomp_load(const void *program, long count, long flags, long handoff) {
    struct sock_fprog fprog = {.len = (unsigned short)count, .filter = (struct sock_filter *)program};
    long listener = cn_syscall6(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, (long)&fprog, 0, 0, 0);
    if (listener < 0 || !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)) return listener < 0 ? listener : 0;
    char byte = 0;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int))];
    } control = {0};
    struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                             .msg_controllen = sizeof control.space};
    control.header.cmsg_level = SOL_SOCKET;
    control.header.cmsg_type = SCM_RIGHTS;
    control.header.cmsg_len = CMSG_LEN(sizeof(int));
    int descriptor = (int)listener;
    char *data = (char *)CMSG_DATA(&control.header);
    for (unsigned i = 0; i < sizeof descriptor; i++) data[i] = ((char *)&descriptor)[i];
    long sent;
    do {
        sent = cn_syscall6(__NR_sendmsg, handoff, (long)&message, MSG_NOSIGNAL, 0, 0, 0);
    } while (sent == -EINTR);
    return sent < 0 ? sent : 0;
}

#endif
