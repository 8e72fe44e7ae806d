import Glibc

extension SeccompFilter {
    /// What the default profile allows beyond ordinary programs.
    public struct DefaultProfileOptions: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Creating and joining namespaces: `CLONE_NEW*` flags of clone(2)
        /// and unshare(2), and setns(2).
        public static let namespaces = DefaultProfileOptions(rawValue: 1 << 0)
        /// ptrace(2), process_vm_readv(2) and process_vm_writev(2), for
        /// debuggers and strace.
        public static let ptrace = DefaultProfileOptions(rawValue: 1 << 1)
    }

    /// A profile for running ordinary programs (shells, coreutils,
    /// interpreters, compilers, network clients): an allowlist modelled on
    /// what container runtimes allow, everything else failing with EPERM.
    ///
    /// Blocked: the kernel keyring (keyctl, add_key, request_key), bpf,
    /// perf_event_open, userfaultfd, the mount family, kexec and module
    /// loading, reboot, swapon/swapoff, clock setting, namespace creation and
    /// setns (unless `.namespaces`), ptrace (unless `.ptrace`), the TIOCSTI and
    /// TIOCLINUX ioctls (compared on the low 32 bits the kernel uses), and
    /// personality(2) other than the values programs use. clone3 fails with
    /// ENOSYS so libc falls back to clone, whose flags a filter can inspect.
    public static func defaultProfile(allowing options: DefaultProfileOptions = []) -> SeccompFilter {
        var filter = SeccompFilter(defaultAction: .errno(EPERM))
        filter.add(Self.ordinaryCalls.map { SystemCall($0) }, .allow, optional: true)
        filter.add("clone3", .errno(ENOSYS), optional: true)
        if options.contains(.namespaces) {
            filter.add(["clone", "unshare", "setns"], .allow)
        } else {
            // clone's low byte is the exit signal; CLONE_NEWTIME (0x80) is for unshare and clone3 only.
            filter.add("clone", .allow, when: [.masked(0, 0x7E02_0000, equals: 0)])
            filter.add("unshare", .allow, when: [.masked(0, 0x7E02_0080, equals: 0)])
        }
        if options.contains(.ptrace) {
            filter.add(["ptrace", "process_vm_readv", "process_vm_writev"], .allow, optional: true)
        }
        for condition in SeccompCondition.lowWord(of: 1, excluding: [0x5412 /* TIOCSTI */, 0x541C /* TIOCLINUX */]) {
            filter.add("ioctl", .allow, when: [condition])
        }
        // PER_LINUX, ADDR_NO_RANDOMIZE, UNAME26, their union, and the query 0xffffffff.
        for persona: UInt64 in [0, 0x0008, 0x2_0000, 0x2_0008, 0xffff_ffff] {
            filter.add("personality", .allow, when: [.masked(0, 0xffff_ffff, equals: persona)])
        }
        return filter
    }

    /// A profile for compute-only payloads (judges): reading and writing
    /// open descriptors, memory, time, signals, exit, exec and read-only
    /// opens for the dynamic loader. Anything else kills the payload, and
    /// the verdict names the call.
    public static var strict: SeccompFilter {
        var filter = SeccompFilter(defaultAction: .killProcess)
        filter.add(Self.computeCalls.map { SystemCall($0) }, .allow, optional: true)
        let writeFlags: UInt64 = UInt64(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND)
        filter.add("open", .allow, when: [.masked(1, writeFlags, equals: 0)], optional: true)
        filter.add("openat", .allow, when: [.masked(2, writeFlags, equals: 0)])
        filter.add("ioctl", .allow, when: [.masked(1, 0xffff_ffff, equals: 0x5401 /* TCGETS, for isatty */)])
        return filter
    }

    private static let computeCalls = [
        "read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close", "fstat", "newfstatat",
        "stat", "lstat", "statx", "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd",
        "fcntl", "dup", "dup2", "dup3", "mmap", "munmap", "mprotect", "brk", "mremap", "madvise",
        "exit", "exit_group", "execve", "clock_gettime", "clock_getres", "gettimeofday", "time",
        "clock_nanosleep", "nanosleep", "getrandom", "rt_sigreturn", "rt_sigaction", "rt_sigprocmask",
        "sigaltstack", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
        "getrlimit", "futex", "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "uname",
        "sched_yield", "sched_getaffinity",
    ]

    private static let ordinaryCalls = [
        "accept", "accept4", "access", "alarm", "arch_prctl", "bind", "brk", "cachestat", "capget", "capset",
        "chdir", "chmod", "chown", "chroot", "clock_getres", "clock_gettime", "clock_nanosleep", "close",
        "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
        "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "epoll_wait", "eventfd", "eventfd2",
        "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fallocate",
        "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchownat", "fcntl", "fdatasync", "fgetxattr",
        "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstatfs", "fsync", "ftruncate",
        "futex", "futex_requeue", "futex_wait", "futex_waitv", "futex_wake", "getcpu", "getcwd", "getdents",
        "getdents64", "getegid", "geteuid", "getgid", "getgroups", "getitimer", "getpeername", "getpgid",
        "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresuid", "getrlimit",
        "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid",
        "gettimeofday", "getuid", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
        "inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "ioprio_get",
        "ioprio_set", "io_setup", "io_submit", "kill", "landlock_add_rule", "landlock_create_ruleset",
        "landlock_restrict_self", "lchown", "lgetxattr", "link", "linkat", "listen", "listxattr",
        "llistxattr", "lremovexattr", "lseek", "lsetxattr", "lstat", "madvise", "membarrier", "memfd_create",
        "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mprotect",
        "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink", "mremap",
        "mseal", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
        "nanosleep", "newfstatat", "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal",
        "pipe", "pipe2", "poll", "ppoll", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "pselect6",
        "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recvfrom",
        "recvmmsg", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
        "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
        "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo",
        "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
        "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity",
        "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
        "semget", "semop", "semtimedop", "sendfile", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsuid",
        "setgid", "setgroups", "setitimer", "setpgid", "setpriority", "setregid", "setresgid", "setresuid",
        "setreuid", "setrlimit", "set_robust_list", "setsid", "setsockopt", "set_thread_area",
        "set_tid_address", "setuid", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
        "sigaltstack", "signalfd", "signalfd4", "socket", "socketpair", "splice", "stat", "statfs", "statx",
        "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time",
        "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_settime",
        "timerfd_create", "timerfd_gettime", "timerfd_settime", "times", "tkill", "truncate", "umask",
        "uname", "unlink", "unlinkat", "utime", "utimensat", "utimes", "vfork", "vmsplice", "wait4", "waitid",
        "write", "writev",
    ]
}
