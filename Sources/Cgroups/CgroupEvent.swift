/// Something that happened in a cgroup, as ``Cgroup/events(interval:)`` reports it.
public struct CgroupEvent: Sendable, Hashable, CustomStringConvertible {
    /// What happened.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The OOM killer killed a process for the memory limit
        /// (memory.events oom_kill; v1 memory.oom_control oom_kill).
        public static let oomKill = Kind(rawValue: "oom-kill")
        /// A fork or clone failed at pids.max (pids.events max).
        public static let pidsLimit = Kind(rawValue: "pids-limit")
        /// The last process left the cgroup (cgroup.events populated 0).
        public static let empty = Kind(rawValue: "empty")
    }

    /// What happened.
    public var kind: Kind
    /// The kernel's running total for the kind (OOM kills, failed forks) when
    /// the event was seen; 0 for `empty`.
    public var total: Int

    /// Creates an event.
    public init(_ kind: Kind, total: Int) {
        self.kind = kind
        self.total = total
    }

    public var description: String { kind == .empty ? "empty" : "\(kind) (total \(total))" }
}

/// The events of a cgroup as an `AsyncSequence`: the counters of
/// memory.events / memory.oom_control, pids.events and cgroup.events are
/// sampled every `interval`, and each change becomes an event. The first
/// sample reports what happened since the cgroup was created (so an event
/// just before subscribing is not lost), including `empty` when no process
/// is in it. The sequence ends when the cgroup is removed or released.
public struct CgroupEvents: AsyncSequence, Sendable {
    public typealias Element = CgroupEvent
    private let stream: AsyncStream<CgroupEvent>

    init(cgroup: Cgroup, interval: Duration) {
        let (stream, continuation) = AsyncStream.makeStream(of: CgroupEvent.self)
        self.stream = stream
        let task = Task { [weak cgroup] in
            // Counters start at zero with the cgroup: the first sample reports
            // what happened before anyone listened.
            var seen = (oom: 0, pids: 0, populated: true)
            var first = true
            while !Task.isCancelled {
                if !first { try? await Task.sleep(for: interval) }
                first = false
                guard let current = cgroup, let stats = try? current.statistics(), current.exists else { break }
                if stats.oomKills > seen.oom { continuation.yield(CgroupEvent(.oomKill, total: stats.oomKills)) }
                if stats.pidsLimitHits > seen.pids { continuation.yield(CgroupEvent(.pidsLimit, total: stats.pidsLimitHits)) }
                let populated = current.isPopulated
                if seen.populated && !populated { continuation.yield(CgroupEvent(.empty, total: 0)) }
                seen = (stats.oomKills, stats.pidsLimitHits, populated)
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
    }

    /// The iterator.
    public func makeAsyncIterator() -> AsyncStream<CgroupEvent>.AsyncIterator { stream.makeAsyncIterator() }
}

extension Cgroup {
    /// The cgroup's events (OOM kills, pids-limit hits, becoming empty),
    /// checked every `interval`.
    public func events(interval: Duration = .milliseconds(20)) -> CgroupEvents {
        CgroupEvents(cgroup: self, interval: interval)
    }
}
