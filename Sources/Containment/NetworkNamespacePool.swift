import CContainment
import ContainmentSupport
import Glibc
import Synchronization
import SystemPackage

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
/// with a fresh namespace. A clean entry goes back to the pool; any other is
/// discarded and replaced by a fresh one. Reading the sysctls costs more
/// than making an entry, so it is done only while the thread keeps up;
/// otherwise such entries are replaced: keep /proc/sys read-only in pooled
/// sandboxes (the default `readOnlyPaths` do) for the pool to pay off. A
/// sandbox that could hold
/// CAP_NET_ADMIN (in its bounding set) could also have left state the check
/// cannot read cheaply (nftables, qdiscs, xfrm), so its entry is always
/// discarded, as is every entry on a host that cannot setns(2) into a
/// network namespace (without CAP_SYS_ADMIN in its own user namespace).
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
        /// Entries closed instead: a failed check, CAP_NET_ADMIN, a sysctl
        /// check the pool's thread could not afford, a host that cannot
        /// setns(2) into a network namespace, or a closed pool.
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

/// One pooled pair: descriptors of a user namespace and of the network
/// namespace it owns.
final class PoolEntry: Sendable {
    let user: Int32
    let network: Int32
    /// The network namespace's inode, as /proc/PID/ns/net shows it.
    let inode: UInt64

    init(user: Int32, network: Int32) {
        self.user = user
        self.network = network
        var info = stat()
        inode = fstat(network, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    func close() {
        Glibc.close(user)
        Glibc.close(network)
    }
}

/// How an entry is checked when its sandbox ends.
enum PoolRecycleCheck: Sendable, Hashable {
    /// Close it: the sandbox could have changed what the check cannot read.
    case discard
    /// Compare it with a fresh namespace; `sysctls`: the sysctls too.
    case verify(sysctls: Bool)
}

/// The shared state of a pool: its entries, counters and thread.
final class PoolCore: Sendable {
    private struct State {
        var idle: [PoolEntry] = []
        var returned: [(PoolEntry, PoolRecycleCheck)] = []
        var statistics = NetworkNamespacePool.Statistics(available: 0, inUse: 0, returned: 0, hits: 0, misses: 0,
                                                         created: 0, recycled: 0, discarded: 0)
        var closed = false
        var working = false
        /// The thread is checking or making an entry.
        var busy = false
        /// Set by the thread once the initial entries exist or making them failed.
        var startFailure: (any Error)?
    }

    private let state = Mutex(State())
    private let target: Int
    private let mapping: UserNamespaceMapping
    private let maker: PoolHelperProcess
    nonisolated(unsafe) private let wake: UnsafeMutablePointer<sem_t>
    nonisolated(unsafe) private let finished: UnsafeMutablePointer<sem_t>
    nonisolated(unsafe) private let started: UnsafeMutablePointer<sem_t>

    /// The nice value of the pool's thread (setpriority(2) of the thread
    /// alone): checks and refills yield to spawners when the cores are busy.
    static let threadNice: Int32 = 5

    init(initial: Int, target: Int, mapping: UserNamespaceMapping) throws {
        self.target = target
        self.mapping = mapping
        let configuration = NamespaceConfiguration(namespaces: [.user, .network], userMapping: mapping)
        maker = try PoolHelperProcess(configuration.loopbackSteps() + [SetupStep(.waitForParent, "wait for the parent", .waitForParent)],
                                      cloneFlags: [.user, .network])
        wake = .allocate(capacity: 1)
        finished = .allocate(capacity: 1)
        started = .allocate(capacity: 1)
        sem_init(wake, 0, 0)
        sem_init(finished, 0, 0)
        sem_init(started, 0, 0)
        state.withLock { $0.working = true }
        do {
            try startDetachedThread { [self] in run(initial: initial) }
        } catch {
            state.withLock { $0.working = false; $0.closed = true }
            throw SandboxError.spawnFailed("start the network namespace pool's thread", errno: error)
        }
        // The thread makes the initial entries (and reads the first one, the
        // reference of every check, from inside).
        while sem_wait(started) != 0 {}
        if let failure = state.withLock({ $0.startFailure }) {
            close()
            throw failure
        }
    }

    deinit {
        sem_destroy(wake)
        sem_destroy(finished)
        sem_destroy(started)
        wake.deallocate()
        finished.deallocate()
        started.deallocate()
    }

    var statistics: NetworkNamespacePool.Statistics { state.withLock { $0.statistics } }

    var isSettled: Bool {
        state.withLock { $0.closed || (!$0.busy && $0.returned.isEmpty && $0.idle.count >= target) }
    }

    /// An entry for a spawn, or nil (a miss). Never blocks on work.
    func take() -> PoolEntry? {
        let (entry, low) = state.withLock { state -> (PoolEntry?, Bool) in
            guard !state.closed, let entry = state.idle.popLast() else {
                state.statistics.misses += 1
                return (nil, !state.closed && !state.busy)
            }
            state.statistics.hits += 1
            state.statistics.inUse += 1
            state.statistics.available = state.idle.count
            return (entry, !state.busy && state.idle.count < target)
        }
        if low { sem_post(wake) }
        return entry
    }

    /// Hands back an entry whose sandbox has ended.
    func giveBack(_ entry: PoolEntry, check: PoolRecycleCheck) {
        let (closed, wakeThread) = state.withLock { state -> (Bool, Bool) in
            state.statistics.inUse -= 1
            if state.closed || check == .discard {
                state.statistics.discarded += 1
                return (true, !state.closed && !state.busy)
            }
            state.returned.append((entry, check))
            state.statistics.returned = state.returned.count
            return (false, !state.busy)
        }
        if closed { entry.close() }
        if wakeThread { sem_post(wake) }
    }

    func close() {
        let (idle, returned, waitForThread) = state.withLock { state in
            let wasWorking = state.working && !state.closed
            state.closed = true
            let idle = state.idle
            let returned = state.returned.map(\.0)
            state.statistics.discarded += idle.count + returned.count
            state.idle = []
            state.returned = []
            state.statistics.available = 0
            state.statistics.returned = 0
            return (idle, returned, wasWorking)
        }
        if waitForThread {
            sem_post(wake)
            while sem_wait(finished) != 0 {}
        }
        (idle + returned).forEach { $0.close() }
    }

    /// The pool's thread: makes the initial entries, then checks returned
    /// entries and refills.
    private func run(initial: Int) {
        defer { sem_post(finished) }
        // Linux: PRIO_PROCESS with who 0 is the calling thread alone.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.threadNice)
        var inspector: NetworkNamespaceInspector?
        var reference: NetworkNamespaceSnapshot?
        do {
            // The first entry, read in full, is what every check compares with.
            let first = try Self.make(maker, mapping)
            if let reader = try? NetworkNamespaceInspector() {
                do throws(NetworkNamespaceInspector.Failure) {
                    reference = try reader.snapshot(of: first.network, sysctls: true)
                    inspector = reader
                } catch .stranded {
                    first.close()
                    throw SandboxError.spawnFailed("return to the host's network namespace", errno: .ioError)
                } catch {
                    // setns(2) refused (EPERM: a host without CAP_SYS_ADMIN in
                    // its own user namespace): entries are never reused.
                }
            }
            var entries = [first]
            do {
                while entries.count < initial { entries.append(try Self.make(maker, mapping)) }
            } catch {
                entries.forEach { $0.close() }
                throw error
            }
            if initial == 0 { first.close(); entries = [] }
            state.withLock { state in
                state.idle = entries
                state.statistics.created = max(1, entries.count)
                state.statistics.discarded = initial == 0 ? 1 : 0
                state.statistics.available = entries.count
            }
        } catch {
            state.withLock { $0.startFailure = error; $0.working = false }
            sem_post(started)
            return
        }
        sem_post(started)
        work(inspector: inspector, reference: reference)
    }

    /// Checks returned entries, then refills; until the pool is closed.
    private func work(inspector: NetworkNamespaceInspector?, reference: NetworkNamespaceSnapshot?) {
        var inspector = inspector
        var reference = reference
        /// After a failed check: compare the next entry made with the
        /// reference, and adopt its view when the host changed (a module
        /// loaded since the reference was read adds files and sysctls).
        var rereadReference = false
        while true {
            while sem_wait(wake) != 0 {}
            while true {
                enum Job { case check(PoolEntry, PoolRecycleCheck, backlog: Bool), make, idle, stop }
                let job = state.withLock { state -> Job in
                    state.busy = false
                    if state.closed { return .stop }
                    if !state.returned.isEmpty {
                        let (entry, check) = state.returned.removeFirst()
                        state.statistics.returned = state.returned.count
                        state.busy = true
                        return .check(entry, check, backlog: !state.returned.isEmpty || state.idle.count < target / 2)
                    }
                    state.busy = state.idle.count < target
                    return state.busy ? .make : .idle
                }
                switch job {
                case .stop:
                    state.withLock { $0.working = false }
                    return
                case .idle:
                    break
                case .check(let entry, let check, let backlog):
                    var clean = false
                    if let reader = inspector, let reference, case .verify(let sysctls) = check, !(sysctls && backlog) {
                        // Reading the ~580 sysctls costs several times making a
                        // fresh entry (~4.6 ms of CPU against ~0.8 ms here):
                        // only while the thread keeps up, that is no other
                        // entry waits and the pool is at least half full.
                        do throws(NetworkNamespaceInspector.Failure) {
                            clean = try reader.snapshot(of: entry.network, sysctls: sysctls).matches(reference)
                            if !clean { rereadReference = true }
                        } catch .stranded {
                            inspector = nil
                        } catch {}
                    }
                    if !clean {
                        entry.close()
                        state.withLock { $0.statistics.discarded += 1 }
                    } else if !add(entry, made: false) {
                        entry.close()
                    }
                    continue
                case .make:
                    guard let entry = try? Self.make(maker, mapping) else {
                        // The host refuses now (a namespace limit, say):
                        // try again when the next entry comes back.
                        break
                    }
                    if rereadReference, let reader = inspector, let current = reference {
                        rereadReference = false
                        if let fresh = try? reader.snapshot(of: entry.network, sysctls: true), fresh != current {
                            reference = fresh
                        }
                    }
                    if !add(entry, made: true) { entry.close() }
                    continue
                }
                break
            }
        }
    }

    /// Puts an entry into the pool; false when the pool was closed meanwhile.
    private func add(_ entry: PoolEntry, made: Bool) -> Bool {
        state.withLock { state in
            if made { state.statistics.created += 1 } else if !state.closed { state.statistics.recycled += 1 }
            guard !state.closed else {
                state.statistics.discarded += 1
                return false
            }
            state.idle.append(entry)
            state.statistics.available = state.idle.count
            return true
        }
    }

    /// Makes a user and network namespace pair with `lo` up.
    private static func make(_ maker: PoolHelperProcess, _ mapping: UserNamespaceMapping) throws -> PoolEntry {
        var entry: PoolEntry?
        try maker.run(slots: [:]) { pid, release in
            let user = open("/proc/\(pid)/ns/user", O_RDONLY | O_CLOEXEC)
            let network = open("/proc/\(pid)/ns/net", O_RDONLY | O_CLOEXEC)
            guard user >= 0, network >= 0 else {
                let failure = errno
                if user >= 0 { Glibc.close(user) }
                if network >= 0 { Glibc.close(network) }
                throw SandboxError.spawnFailed("open the namespaces of pool helper \(pid)", errno: Errno(rawValue: failure))
            }
            entry = PoolEntry(user: user, network: network)
            do {
                try mapping.write(toProcess: pid)
                try release()
            } catch {
                entry?.close()
                entry = nil
                throw error
            }
        }
        guard let entry else { throw SandboxError.spawnFailed("make a pooled network namespace", errno: .ioError) }
        return entry
    }
}
