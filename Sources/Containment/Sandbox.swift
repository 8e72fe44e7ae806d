import ContainmentSupport
import SystemPackage

/// A description of an isolated child process: its namespaces, environment,
/// limits and I/O. A value: copy it, change it, and spawn as many children
/// from it as you like.
///
/// ```swift
/// var sandbox = Sandbox()
/// sandbox.hostname = "box"
/// let result = try await sandbox.run("/bin/sh", ["-c", "id; hostname"], output: .string())
/// print(result.termination, result.verdict, result.standardOutput)
/// ```
public struct Sandbox: Sendable {
    /// Namespaces created, joined and set up (the `Namespaces` layer).
    public var isolation = NamespaceConfiguration()
    /// The sandbox's filesystem: root, mounts, masked paths (the `RootFS`
    /// layer); nil keeps the host's filesystem as it is.
    public var filesystem: FilesystemConfiguration?
    /// What runs as pid 1 of a new pid namespace.
    public var initProcess: InitProcess = .minimal
    /// The payload's environment; `.clean` by default, never the host's unless asked.
    public var environment: Environment = .clean
    /// The payload's working directory (chdir(2) just before exec); nil keeps
    /// the host's.
    public var workingDirectory: FilePath?
    /// uid, gid and groups inside the sandbox; nil keeps root inside a user
    /// namespace (the host's identity without one).
    public var identity: Identity?
    /// Resource limits, enforced by a cgroup of the sandbox's own (the
    /// `Cgroups` layer); nil: no cgroup.
    public var resources: ResourceLimits?
    /// The payload's capability sets and securebits; nil: the safe defaults,
    /// `CapabilitySet.containerDefault` for uid 0 and none for other uids.
    public var capabilities: CapabilityConfiguration?
    /// Resource limits set in the child (prlimit(2)); a payload stopped by
    /// RLIMIT_CPU ends with the verdict `.cpuTimeLimit`.
    public var resourceLimits: [ResourceLimit] = []
    /// Landlock rules restricting the payload's filesystem and TCP access.
    public var landlock: LandlockRuleset?
    /// Set no_new_privs (PR_SET_NO_NEW_PRIVS): exec of set-user-ID binaries and
    /// file capabilities can grant nothing.
    public var noNewPrivileges = true
    /// Kill the sandbox after this long; its verdict is then `.wallTimeLimit`.
    public var wallTimeLimit: Duration?
    /// Signal the sandbox gets when the host process dies (PR_SET_PDEATHSIG);
    /// nil lets it outlive the host.
    public var parentDeathSignal: Signal? = .kill
    /// Start the payload in a new session (setsid(2)), detached from the host's
    /// controlling terminal.
    public var newSession = true
    /// Descriptors of the host passed to the payload as 3, 4, 5, ... in order.
    public var passedDescriptors: [FileDescriptor] = []
    /// Announce `passedDescriptors` as listening sockets with the systemd
    /// convention: LISTEN_FDS, and LISTEN_PID set to the payload's own pid.
    public var socketActivation = false
    /// The seccomp filter loaded right before exec (the `Seccomp` layer);
    /// nil runs the payload unfiltered. Compiled once per filter value.
    public var seccomp: SeccompFilter?
    /// Where the network namespace comes from: `.fresh` (a new one per
    /// sandbox) or `.pooled(pool)`, a pre-made one from a
    /// ``NetworkNamespacePool``.
    public var network: SandboxNetwork = .fresh

    /// A sandbox with the seven container namespaces, root inside mapped to
    /// the calling user, loopback up, a minimal init and a clean environment.
    public init() {}

    /// Namespaces created new for the sandbox.
    public var namespaces: NamespaceSet {
        get { isolation.namespaces }
        set { isolation.namespaces = newValue }
    }

    /// Hostname inside (needs `.uts`).
    public var hostname: String? {
        get { isolation.hostname }
        set { isolation.hostname = newValue }
    }

    /// uid and gid maps of the user namespace.
    public var user: UserNamespaceMapping {
        get { isolation.userMapping }
        set { isolation.userMapping = newValue }
    }

    /// Existing namespaces to enter.
    public var joins: [NamespaceJoin] {
        get { isolation.joins }
        set { isolation.joins = newValue }
    }

    /// Clock offsets of a new time namespace (needs `.time`).
    public var timeOffsets: TimeOffsets {
        get { isolation.timeOffsets }
        set { isolation.timeOffsets = newValue }
    }
}

/// What runs as pid 1 of a sandbox's new pid namespace.
public struct InitProcess: Sendable, Hashable {
    fileprivate enum Kind: Hashable { case minimal, payload }
    fileprivate let kind: Kind

    /// A tiny init of the SDK's own that forks the payload, forwards signals
    /// to it, reaps orphans and exits with the payload's status.
    public static let minimal = InitProcess(kind: .minimal)
    /// The payload itself is pid 1 (it must reap its own orphans, and signals
    /// without a handler do not reach it).
    public static let payload = InitProcess(kind: .payload)

    var isMinimal: Bool { kind == .minimal }
}
