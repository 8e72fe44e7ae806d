import ContainmentSupport
import Glibc
import Synchronization
import SystemPackage

/// The shared state of a pool: its entries, counters and thread.
final class PoolCore: Sendable {
    private struct State {
        var idle: [PoolEntry] = []
        var returned: [ReturnedEntry] = []
        var statistics = NetworkNamespacePool.Statistics(available: 0, inUse: 0, returned: 0, hits: 0, misses: 0,
                                                         created: 0, recycled: 0, discarded: 0)
        var closed = false
        var working = false
        /// The thread is checking or making an entry.
        var busy = false
        /// Set by the thread once the initial entries exist or making them failed.
        var startFailure: (any Error)?
    }

    /// An entry whose sandbox ended, awaiting its check.
    private struct ReturnedEntry {
        let entry: PoolEntry
        let check: PoolRecycleCheck
        /// Checks it failed so far.
        var failedChecks = 0
        /// CLOCK_MONOTONIC nanoseconds before which it is not checked again.
        var notBefore: UInt64 = 0
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

    /// How long (in nanoseconds) after a failed check an entry is checked
    /// again, once per delay, before it is discarded. The kernel frees the
    /// sockets of a sandbox's last processes a little after they were reaped
    /// (the sockstat count lags by 1–3 ms here), so a clean entry can look
    /// dirty at first.
    static let recheckDelays: [UInt64] = [2_000_000, 10_000_000, 50_000_000]

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
            try startDetachedThread(named: "pool") { [self] in run(initial: initial) }
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
            state.returned.append(ReturnedEntry(entry: entry, check: check))
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
            let returned = state.returned.map(\.entry)
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
        /// When the next deferred check is due, if one waits.
        var nextCheck: UInt64?
        while true {
            Self.wait(wake, until: nextCheck)
            nextCheck = nil
            while true {
                enum Job { case check(ReturnedEntry, backlog: Bool), make, idle, stop }
                let job = state.withLock { state -> Job in
                    state.busy = false
                    if state.closed { return .stop }
                    let now = Self.now(CLOCK_MONOTONIC)
                    if let index = state.returned.firstIndex(where: { $0.notBefore <= now }) {
                        let returned = state.returned.remove(at: index)
                        state.statistics.returned = state.returned.count
                        state.busy = true
                        let anotherDue = state.returned.contains { $0.notBefore <= now }
                        return .check(returned, backlog: anotherDue || state.idle.count < target / 2)
                    }
                    state.busy = state.idle.count < target
                    nextCheck = state.returned.map(\.notBefore).min()
                    return state.busy ? .make : .idle
                }
                switch job {
                case .stop:
                    state.withLock { $0.working = false }
                    return
                case .idle:
                    break
                case .check(var returned, let backlog):
                    var clean = false, read = false
                    if let reader = inspector, let reference, case .verify(let sysctls) = returned.check, !(sysctls && backlog) {
                        // Reading the ~580 sysctls costs several times making a
                        // fresh entry (~4.6 ms of CPU against ~0.8 ms here):
                        // only while the thread keeps up, that is no other
                        // entry waits and the pool is at least half full.
                        do throws(NetworkNamespaceInspector.Failure) {
                            clean = try reader.snapshot(of: returned.entry.network, sysctls: sysctls).matches(reference)
                            read = true
                            // What no file shows is emptied instead.
                            if clean { try reader.flushTCPMetrics(of: returned.entry.network) }
                        } catch .stranded {
                            clean = false
                            inspector = nil
                        } catch {
                            clean = false
                        }
                    }
                    if read && !clean && returned.failedChecks < Self.recheckDelays.count {
                        returned.notBefore = Self.now(CLOCK_MONOTONIC) + Self.recheckDelays[returned.failedChecks]
                        returned.failedChecks += 1
                        if state.withLock({ state in
                            guard !state.closed else { return false }
                            state.returned.append(returned)
                            state.statistics.returned = state.returned.count
                            return true
                        }) { continue }
                    }
                    if read && !clean { rereadReference = true }
                    if !clean {
                        returned.entry.close()
                        state.withLock { $0.statistics.discarded += 1 }
                    } else if !add(returned.entry, made: false) {
                        returned.entry.close()
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

    /// Waits for a post to `semaphore`, or until `deadline` (CLOCK_MONOTONIC
    /// nanoseconds) when one is given.
    private static func wait(_ semaphore: UnsafeMutablePointer<sem_t>, until deadline: UInt64?) {
        guard let deadline else {
            while sem_wait(semaphore) != 0 {}
            return
        }
        // sem_timedwait(3) takes a CLOCK_REALTIME instant.
        let instant = now(CLOCK_REALTIME) + deadline - min(deadline, now(CLOCK_MONOTONIC))
        var time = timespec(tv_sec: Int(instant / 1_000_000_000), tv_nsec: Int(instant % 1_000_000_000))
        while sem_timedwait(semaphore, &time) != 0 && errno == EINTR {}
    }

    /// `clock` now (clock_gettime(2)), in nanoseconds.
    private static func now(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
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
