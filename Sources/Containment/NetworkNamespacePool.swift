/// Pre-made, exclusive, recycled network namespaces, so that high spawn
/// rates pay neither the creation of a network namespace (clone3(2)
/// `CLONE_NEWNET`, ~0.35 ms here, serialised in the kernel) nor its
/// asynchronous teardown (~0.4 ms) per sandbox.
///
/// ```swift
/// let pool = try NetworkNamespacePool(size: 32)
/// var sandbox = Sandbox()
/// sandbox.network = .pooled(pool)
/// ```
///
/// A network namespace can only be entered (setns(2)) with CAP_SYS_ADMIN over
/// the user namespace that owns it, and a sandbox's other namespaces must be
/// owned by the sandbox's user namespace. So each entry is a *pair*: a user
/// namespace with the pool's id maps and a network namespace it owns, with
/// `lo` up, made by a short-lived helper process (clone3 `CLONE_NEWUSER |
/// CLONE_NEWNET`, uid_map and gid_map written, `SIOCSIFFLAGS IFF_UP`) that
/// exits once the pool holds descriptors of /proc/PID/ns/user and net. A
/// sandbox that takes an entry enters both with setns(2), creates its other
/// namespaces with unshare(2), and clones itself into its new pid namespace.
///
/// Entries are exclusive: one sandbox at a time. When a sandbox has ended
/// (its pid namespace, and so every process in the entry, is gone) the entry
/// is checked on the pool's own thread, never on the spawn path and without
/// a process: the thread enters the entry's network namespace (setns(2) is
/// per thread for `CLONE_NEWNET`), reads /proc/thread-self/net (interfaces,
/// addresses, routes, multicast memberships, flow labels, the namespace's
/// socket counts) and, when the sandbox could have written them, every
/// sysctl under /proc/sys/net, returns to the host's namespace, and compares
/// with a fresh namespace. A clean entry has its TCP metrics cache emptied
/// (it shows in no file: `ip tcp_metrics`) and goes back to the pool; any
/// other is checked again 2, 10 and 50 ms later (the kernel frees the
/// sockets of the sandbox's last processes a little after they were
/// reaped), and then discarded and replaced by a fresh one. Reading the sysctls costs more
/// than making an entry, so it is done only while the thread keeps up;
/// otherwise such entries are replaced: keep /proc/sys read-only in pooled
/// sandboxes (the default `readOnlyPaths` do) for the pool to pay off.
///
/// Some state the check cannot read cheaply, so the entry of a sandbox that
/// could have left it is always discarded: keys (the entry's user namespace
/// keeps its user keyrings, keyrings(7), for the next sandbox to read) unless
/// the sandbox's seccomp filter refuses add_key(2), keyctl(2) and
/// request_key(2), as the default profile does; nftables, qdiscs and xfrm
/// (CAP_NET_ADMIN in the bounding set); a binfmt_misc instance
/// (CAP_SYS_ADMIN); the user namespace's limits (CAP_SYS_RESOURCE). So is
/// every entry on a host that cannot setns(2) into a network namespace
/// (without CAP_SYS_ADMIN in its own user namespace).
/// Traffic counters (/proc/net/dev, SNMP statistics) are cumulative and not
/// compared.
///
/// Taking an entry never blocks: an empty pool counts a miss and the sandbox
/// gets a fresh namespace as without a pool. The pool's thread keeps
/// `targetSize` entries ready. Closing the pool (or dropping it) stops the
/// thread and closes every descriptor; entries in use are discarded when
/// their sandbox ends. The pool never leaves a process or zombie behind.
public final class NetworkNamespacePool: Sendable {
    /// Counters of a pool's life, for tuning its size.
    public struct Statistics: Sendable, Hashable, CustomStringConvertible {
        /// Entries ready to be taken.
        public var available: Int
        /// Entries held by running sandboxes.
        public var inUse: Int
        /// Entries awaiting their check after their sandbox ended.
        public var returned: Int
        /// Spawns that got an entry.
        public var hits: Int
        /// Spawns that found the pool empty and created a fresh namespace.
        public var misses: Int
        /// Entries made, the initial ones included.
        public var created: Int
        /// Entries that passed their check and went back into the pool.
        public var recycled: Int
        /// Entries closed instead: a failed check, a sandbox that could
        /// reach the keyring or hold CAP_NET_ADMIN, CAP_SYS_ADMIN or
        /// CAP_SYS_RESOURCE, a sysctl check the pool's thread could not
        /// afford, a host that cannot setns(2) into a network namespace, or a
        /// closed pool.
        public var discarded: Int

        /// The counters on one line, as "available N, in use N, …".
        public var description: String {
            "available \(available), in use \(inUse), returned \(returned), hits \(hits), misses \(misses), created \(created), recycled \(recycled), discarded \(discarded)"
        }
    }

    /// The uid and gid maps of every entry's user namespace; a sandbox using
    /// the pool must have the same `Sandbox.user`.
    public let mapping: UserNamespaceMapping
    /// How many entries the pool's thread keeps ready.
    public let targetSize: Int
    let core: PoolCore

    /// Creates a pool with `size` entries ready, made (by the pool's thread)
    /// before this returns, and keeps that thread to check returned entries
    /// and keep `targetSize` (default: `size`) entries ready. The thread runs
    /// at nice 5, so that on busy cores it yields to spawners.
    ///
    /// - Parameter mapping: the id maps of the entries' user namespaces
    ///   (written to /proc/PID/uid_map and gid_map as for a sandbox); the
    ///   pool serves sandboxes with exactly this `Sandbox.user`.
    /// - Throws: `NamespaceError` when the maps are invalid or refused,
    ///   `SandboxError` when the host cannot create user and network
    ///   namespaces (the message names the remedy).
    public init(size: Int, targetSize: Int? = nil, mapping: UserNamespaceMapping = .root(mappedTo: .currentUser)) throws {
        guard size >= 0, (targetSize ?? size) >= 0 else {
            throw SandboxError.invalid("NetworkNamespacePool.size", "must not be negative")
        }
        try mapping.validate()
        self.mapping = mapping
        self.targetSize = targetSize ?? size
        core = try PoolCore(initial: size, target: targetSize ?? size, mapping: mapping)
    }

    deinit { core.close() }

    /// The pool's counters now.
    public var statistics: Statistics { core.statistics }

    /// Stops the pool's thread (waiting for a check or creation in progress)
    /// and closes every ready entry. Sandboxes running with an entry keep it;
    /// it is closed when they end. Later spawns count misses. Idempotent.
    public func close() { core.close() }

    /// Waits until no returned entry awaits its check and `targetSize`
    /// entries are ready (or the pool is closed), at most `timeout`. For
    /// tests and benchmarks that want a settled pool.
    public func settle(timeout: Duration = .seconds(10)) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && !core.isSettled {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}
