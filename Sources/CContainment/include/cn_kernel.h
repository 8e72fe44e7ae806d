// Kernel constants Swift cannot see through Glibc: system call numbers
// (SYS_*), clone3 flags (CLONE_NEWTIME, CLONE_INTO_CGROUP) and seccomp's.
#ifndef CN_KERNEL_H
#define CN_KERNEL_H

#include <sys/syscall.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <linux/prctl.h>
#include <linux/wait.h>
#include <sys/epoll.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#endif
