// swift-containment spawn core: the only code that runs between clone and exec.
//
// The parent renders a plan: a flat array of steps whose arguments point into
// memory the parent owns. `cn_spawn` clones a child that shares the parent's
// address space (CLONE_VM, a private stack) and walks the plan with raw system
// calls. A failing step writes a `cn_failure` to the error descriptor and the
// child exits; end-of-file on that descriptor means exec succeeded.
#ifndef CCONTAINMENT_H
#define CCONTAINMENT_H

#include <stdint.h>
#include <stddef.h>

/// What a step does.
enum cn_op {
    /// `syscall(nr, args...)`. The result is stored in `out_slot` when set.
    CN_OP_SYSCALL = 0,
    /// Read one byte from the sync slot, then close it, and take the slot
    /// values from the request again (the parent may have set some after
    /// clone). End-of-file (the parent gave up on the spawn) exits the child
    /// quietly.
    CN_OP_WAIT_PARENT = 1,
    /// execve each path of the NULL-terminated list `args[0]` in turn with argv
    /// `args[1]` and envp `args[2]`, as execvp does: ENOENT, ENOTDIR and EACCES
    /// move on to the next path; the step fails with EACCES if any path gave
    /// it, else with the last error.
    CN_OP_EXEC_SEARCH = 2,
    /// prctl(PR_SET_PDEATHSIG, args[0]), then exit quietly if the parent is
    /// already gone (the error descriptor has no reader left).
    CN_OP_PARENT_DEATH_SIGNAL = 3,
    /// seccomp(SECCOMP_SET_MODE_FILTER, args[2], {args[1] instructions at
    /// args[0]}); with SECCOMP_FILTER_FLAG_NEW_LISTENER in args[2], send the
    /// listener to the host over the socket args[3] (SCM_RIGHTS).
    CN_OP_SECCOMP = 4,
    /// Walk the rest of the plan in the pid namespace the child unshared
    /// (unshare(2) CLONE_NEWPID applies to the caller's next child only):
    /// clone3(CLONE_VM | CLONE_VFORK | CLONE_PARENT) onto the lower half of
    /// the child's stack. The new process, pid 1 in the namespace and a child
    /// of the host, walks the steps after this one; the caller waits until it
    /// exec'd or exited (vfork), writes `{CN_STEP_CHILD_PID, pid}` on the
    /// error descriptor and exits 0.
    CN_OP_CLONE_INTO_PID_NAMESPACE = 5,
};

/// The step index of the error-pipe message in which a child that cloned
/// into its pid namespace hands the new process's pid to the host (in the
/// `error` field); not a failure.
#define CN_STEP_CHILD_PID 0xfffffffeu

/// Number of value slots a plan can use. Slots carry per-spawn values (the
/// descriptors of one spawn) and results of earlier steps (an opened fd).
#define CN_SLOT_COUNT 48
/// Slot 0 means "no slot" in `out_slot`.
#define CN_SLOT_NONE 0
/// The child's end of the sync pipe (read).
#define CN_SLOT_SYNC 1
/// The child's end of the error pipe (write, close-on-exec).
#define CN_SLOT_ERROR 2
/// First slot free for plans.
#define CN_SLOT_FIRST_FREE 3

/// One setup step. 64 bytes.
typedef struct cn_step {
    uint32_t op;
    /// Slot that receives the step's result (CN_SLOT_NONE: discard).
    uint8_t out_slot;
    /// Bit i set: `args[i]` is a slot index, replaced by that slot's value.
    uint8_t slot_args;
    uint16_t reserved;
    /// An errno that counts as success (0: none), e.g. EEXIST for mkdir.
    int32_t tolerated_errno;
    int32_t reserved2;
    /// System call number for CN_OP_SYSCALL.
    long nr;
    long args[6];
} cn_step;

/// What a failed child reports on the error descriptor.
typedef struct cn_failure {
    /// Index of the failing step in the plan.
    uint32_t step;
    /// The errno it failed with.
    int32_t error;
} cn_failure;

/// Everything `cn_spawn` needs. The parent keeps this, the plan and the stack
/// alive and unchanged until the error descriptor reports exec or the child
/// has exited: the child reads them from the shared address space.
typedef struct cn_spawn_request {
    const cn_step *steps;
    uint32_t step_count;
    /// Descriptor of a cgroup v2 directory to start the child in
    /// (CLONE_INTO_CGROUP), or -1.
    int32_t cgroup_fd;
    /// CLONE_NEW* flags; CLONE_VM and CLONE_PIDFD are added by the core.
    uint64_t clone_flags;
    /// Descriptors the plan names by number rather than by slot (the init
    /// image, the seccomp program), -1 for unused entries. Before its first
    /// step the child closes every descriptor above 2 except these and its
    /// slots' values: descriptors other threads created meanwhile (for their
    /// own spawns or anything else) must not stay open in a child that may
    /// wait for its parent.
    int32_t keep[4];
    /// Initial slot values.
    long slots[CN_SLOT_COUNT];
    /// The child's stack: lowest address and size. The top must be 16-byte
    /// aligned.
    void *stack;
    size_t stack_size;
} cn_spawn_request;

/// Clones a child that runs `request`'s plan.
///
/// Wraps clone3(2) with CLONE_VM | CLONE_PIDFD | `clone_flags`, all signals
/// blocked around the call; the child resets every signal disposition to
/// SIG_DFL before its first step and keeps all signals blocked until the plan
/// unblocks them. The child's exit signal is 0, so it never raises SIGCHLD
/// and a `wait(-1)` elsewhere in the process cannot reap it (wait with
/// __WALL).
///
/// Returns 0 and sets `*pid` and `*pidfd`, or a negated errno.
int cn_spawn(const cn_spawn_request *request, int32_t *pid, int32_t *pidfd);

#endif
