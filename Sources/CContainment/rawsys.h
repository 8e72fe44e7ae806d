// Raw system calls for code that must not touch libc state.
//
// The spawn child shares the host's address space (CLONE_VM) and its thread
// pointer, so it may not call a libc function that writes errno or any other
// thread-local or global state. These inline calls return the kernel's result
// as is: a value in [-4095, -1] is a negated errno.
//
// The freestanding pid-namespace init includes this header too.
#ifndef CN_RAWSYS_H
#define CN_RAWSYS_H

#include <asm/unistd.h>

static inline long cn_syscall6(long n, long a, long b, long c, long d, long e, long f) {
#if defined(__x86_64__)
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory", "cc");
    return x0;
#else
#error "swift-containment's spawn core supports x86_64 and aarch64"
#endif
}

#define cn_sys0(n) cn_syscall6((n), 0, 0, 0, 0, 0, 0)
#define cn_sys1(n, a) cn_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define cn_sys2(n, a, b) cn_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define cn_sys3(n, a, b, c) cn_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define cn_sys4(n, a, b, c, d) cn_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define cn_sys5(n, a, b, c, d, e) \
    cn_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/// True when a raw result is a negated errno.
static inline int cn_is_error(long result) { return result < 0 && result > -4096; }

/// Exits the calling process; never returns.
__attribute__((noreturn)) static inline void cn_exit(int status) {
    for (;;) cn_sys1(__NR_exit_group, status);
}

#endif
