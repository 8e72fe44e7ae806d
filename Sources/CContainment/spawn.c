// The spawn core: clone3 into a shared-address-space child that walks a plan.
//
// Everything from `cn_child` on runs in the child, on its own stack but in the
// parent's memory: raw system calls only, nothing written outside the stack.
#define _GNU_SOURCE
#include "ccontainment.h"
#include "rawsys.h"
#include "seccomp_load.h"

#include <errno.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

// Kernel `struct sigaction` (no glibc translation).
struct cn_kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

// clone3(args, size), then in the child: fn(arg) and exit with its result.
// Returns the child's pid or a negated errno in the parent.
long cn_clone3_run(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl cn_clone3_run\n"
        ".hidden cn_clone3_run\n"
        ".type cn_clone3_run,@function\n"
        "cn_clone3_run:\n"
        "  mov %rdx, %r8\n"       // fn and arg survive the syscall in r8, r9
        "  mov %rcx, %r9\n"
        "  mov $435, %eax\n"      // __NR_clone3
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  xor %ebp, %ebp\n"      // child: fresh stack, no frame to return to
        "  mov %r9, %rdi\n"
        "  call *%r8\n"
        "  mov %eax, %edi\n"
        "  mov $231, %eax\n"      // __NR_exit_group
        "  syscall\n"
        "  hlt\n"
        "1:\n"
        "  ret\n"
        ".size cn_clone3_run, .-cn_clone3_run\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl cn_clone3_run\n"
        ".hidden cn_clone3_run\n"
        ".type cn_clone3_run,%function\n"
        "cn_clone3_run:\n"
        "  mov x10, x2\n"
        "  mov x11, x3\n"
        "  mov x8, #435\n"
        "  svc #0\n"
        "  cbnz x0, 1f\n"
        "  mov x29, #0\n"
        "  mov x30, #0\n"
        "  mov x0, x11\n"
        "  blr x10\n"
        "  mov x8, #94\n"         // __NR_exit_group
        "  svc #0\n"
        "  brk #0\n"
        "1:\n"
        "  ret\n"
        ".size cn_clone3_run, .-cn_clone3_run\n");
#endif

__attribute__((noreturn)) static void cn_fail(long error_fd, uint32_t step, long error) {
    cn_failure failure = {.step = step, .error = (int32_t)-error};
    cn_sys3(__NR_write, error_fd, &failure, sizeof failure);
    cn_exit(127);
}

static long cn_wait_parent(long fd) {
    char byte;
    long r;
    do {
        r = cn_sys3(__NR_read, fd, &byte, 1);
    } while (r == -EINTR);
    if (r == 0) cn_exit(0);  // the parent abandoned this spawn
    cn_sys1(__NR_close, fd);
    return r < 0 ? r : 0;
}

static long cn_exec_search(const char *const *paths, char *const *argv, char *const *envp) {
    long last = -ENOENT;
    int saw_eacces = 0;
    for (; *paths; paths++) {
        long r = cn_sys3(__NR_execve, *paths, argv, envp);
        if (r == -EACCES) saw_eacces = 1;
        else if (r != -ENOENT && r != -ENOTDIR) return r;
        last = r;
    }
    return saw_eacces ? -EACCES : last;
}

static long cn_parent_death_signal(long signal, long error_fd) {
    long r = cn_sys2(__NR_prctl, PR_SET_PDEATHSIG, signal);
    if (r < 0) return r;
    struct pollfd pfd = {.fd = (int)error_fd, .events = POLLOUT};
    r = cn_sys3(__NR_poll, &pfd, 1, 0);
    if (r > 0 && (pfd.revents & POLLERR)) cn_exit(0);  // no reader: parent died
    return 0;
}

static int cn_run(const cn_spawn_request *request, long *slots, uint32_t first);

// Where the process cloned into a pid namespace resumes the plan.
struct cn_resume {
    const cn_spawn_request *request;
    const long *slots;
    uint32_t next;
};

static int cn_resume_child(void *arg) {
    const struct cn_resume *resume = arg;
    long slots[CN_SLOT_COUNT];
    // The cloning process is suspended (CLONE_VFORK): its slots stay put.
    for (int i = 0; i < CN_SLOT_COUNT; i++) slots[i] = resume->slots[i];
    return cn_run(resume->request, slots, resume->next);
}

static long cn_clone_into_pid_namespace(const cn_spawn_request *request, long *slots, uint32_t index) {
    struct cn_resume resume = {request, slots, index + 1};
    struct clone_args args = {0};
    args.flags = CLONE_VM | CLONE_VFORK | CLONE_PARENT;
    args.exit_signal = 0;
    // This process runs near the top of the stack; the new one gets the
    // lower half.
    args.stack = (uint64_t)(uintptr_t)request->stack;
    args.stack_size = (request->stack_size / 2) & ~(size_t)15;
    long pid = cn_clone3_run(&args, sizeof args, cn_resume_child, &resume);
    if (pid < 0) return pid;
    cn_failure handoff = {.step = CN_STEP_CHILD_PID, .error = (int32_t)pid};
    cn_sys3(__NR_write, slots[CN_SLOT_ERROR], &handoff, sizeof handoff);
    cn_exit(0);
}

// Closes every descriptor above 2 the child inherited except its slots'
// values and `request->keep`: the gaps between them, with close_range(2).
static void cn_close_inherited(const cn_spawn_request *request, const long *slots) {
    long kept[CN_SLOT_COUNT + 4];
    int count = 0;
    for (int i = 0; i < CN_SLOT_COUNT; i++) {
        if (slots[i] > 2 && slots[i] <= 0x7fffffff) kept[count++] = slots[i];
    }
    for (int i = 0; i < 4; i++) {
        if (request->keep[i] > 2) kept[count++] = request->keep[i];
    }
    for (int i = 1; i < count; i++) {
        long value = kept[i];
        int j = i - 1;
        for (; j >= 0 && kept[j] > value; j--) kept[j + 1] = kept[j];
        kept[j + 1] = value;
    }
    long next = 3;
    for (int i = 0; i < count; i++) {
        if (kept[i] > next) cn_sys3(__NR_close_range, next, kept[i] - 1, 0);
        if (kept[i] >= next) next = kept[i] + 1;
    }
    cn_sys3(__NR_close_range, next, 0xffffffffL, 0);
}

static int cn_child(void *arg) {
    const cn_spawn_request *request = arg;
    long slots[CN_SLOT_COUNT];
    for (int i = 0; i < CN_SLOT_COUNT; i++) slots[i] = request->slots[i];

    struct cn_kernel_sigaction dfl = {0};
    for (long sig = 1; sig <= 64; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) cn_sys4(__NR_rt_sigaction, sig, &dfl, 0, 8);
    }
    cn_close_inherited(request, slots);
    return cn_run(request, slots, 0);
}

static int cn_run(const cn_spawn_request *request, long *slots, uint32_t first) {
    for (uint32_t index = first; index < request->step_count; index++) {
        const cn_step *step = &request->steps[index];
        long a[6];
        for (int k = 0; k < 6; k++) {
            a[k] = (step->slot_args & (1u << k)) ? slots[step->args[k] % CN_SLOT_COUNT]
                                                 : step->args[k];
        }
        long r;
        switch (step->op) {
        case CN_OP_SYSCALL:
            r = cn_syscall6(step->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
            // openat2(2) with RESOLVE_IN_ROOT fails with EAGAIN when a mount
            // or rename anywhere on the host raced with a ".." in the lookup;
            // the kernel asks the caller to try again.
            for (int retry = 0; step->nr == __NR_openat2 && r == -EAGAIN && retry < 100; retry++) {
                r = cn_syscall6(step->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
            }
            break;
        case CN_OP_WAIT_PARENT:
            r = cn_wait_parent(slots[CN_SLOT_SYNC]);
            // The parent may have set slots after clone (an environment
            // rendered with the child's pid): take them again.
            for (int i = CN_SLOT_FIRST_FREE; i < CN_SLOT_COUNT; i++) slots[i] = request->slots[i];
            break;
        case CN_OP_EXEC_SEARCH:
            r = cn_exec_search((const char *const *)a[0], (char *const *)a[1], (char *const *)a[2]);
            break;
        case CN_OP_PARENT_DEATH_SIGNAL:
            r = cn_parent_death_signal(a[0], slots[CN_SLOT_ERROR]);
            break;
        case CN_OP_SECCOMP:
            r = cn_seccomp_load((const void *)a[0], a[1], a[2], a[3]);
            break;
        case CN_OP_CLONE_INTO_PID_NAMESPACE:
            r = cn_clone_into_pid_namespace(request, slots, index);
            break;
        default:
            r = -ENOSYS;
        }
        if (cn_is_error(r) && -r != step->tolerated_errno) cn_fail(slots[CN_SLOT_ERROR], index, r);
        if (step->out_slot != CN_SLOT_NONE) slots[step->out_slot % CN_SLOT_COUNT] = r;
    }
    // A plan ends in exec; reaching here means it did not.
    cn_fail(slots[CN_SLOT_ERROR], request->step_count, -ENOEXEC);
}

int cn_spawn(const cn_spawn_request *request, int32_t *pid, int32_t *pidfd) {
    int child_pidfd = -1;
    struct clone_args args = {0};
    args.flags = request->clone_flags | CLONE_VM | CLONE_PIDFD;
    if (request->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)request->cgroup_fd;
    }
    args.pidfd = (uint64_t)(uintptr_t)&child_pidfd;
    args.exit_signal = 0;
    args.stack = (uint64_t)(uintptr_t)request->stack;
    args.stack_size = request->stack_size;

    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    long r = cn_clone3_run(&args, sizeof args, cn_child, (void *)request);
    pthread_sigmask(SIG_SETMASK, &saved, 0);
    if (r < 0) return (int)r;
    *pid = (int32_t)r;
    *pidfd = child_pidfd;
    return 0;
}
