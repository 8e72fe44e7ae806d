/// What a cgroup's processes use, read from its accounting files. A value
/// is nil when the host does not account it (no such controller or file).
public struct CgroupStatistics: Sendable, Hashable {
    /// Memory in use, in bytes (memory.current; v1 memory.usage_in_bytes).
    public var memoryCurrent: Int?
    /// Largest memory use, in bytes (memory.peak; v1 memory.max_usage_in_bytes).
    public var memoryPeak: Int?
    /// Processes killed by the OOM killer for the memory limit
    /// (memory.events oom_kill; v1 memory.oom_control oom_kill).
    public var oomKills: Int = 0
    /// CPU time used by all processes (cpu.stat usage_usec; v1 cpuacct.usage).
    public var cpuUsage: Duration?
    /// CPU time in user mode (cpu.stat user_usec; v1 cpuacct.usage_user).
    public var cpuUser: Duration?
    /// CPU time in kernel mode (cpu.stat system_usec; v1 cpuacct.usage_sys).
    public var cpuSystem: Duration?
    /// Periods in which the CPU quota throttled the cgroup (cpu.stat nr_throttled).
    public var throttledPeriods: Int?
    /// Time the cgroup spent throttled (cpu.stat throttled_usec; v1 throttled_time).
    public var throttledTime: Duration?
    /// Tasks in the cgroup (pids.current).
    public var pidsCurrent: Int?
    /// Times a fork or clone failed at pids.max (pids.events max).
    public var pidsLimitHits: Int = 0
    /// Bytes read from block devices (io.stat rbytes; v1 blkio.throttle.io_service_bytes).
    public var ioReadBytes: Int?
    /// Bytes written to block devices (io.stat wbytes; v1 blkio.throttle.io_service_bytes).
    public var ioWriteBytes: Int?

    /// Empty statistics.
    public init() {}
}

/// Which statistics to read: a finished sandbox needs fewer than a live view.
package enum StatisticsSelection: Sendable {
    /// Everything ``Cgroup/statistics()`` reports.
    case all
    /// What a finished sandbox's usage needs: peak memory and CPU time.
    case usage
    /// The usage and what a verdict needs: OOM kills and pids.max hits.
    case usageAndLimitHits
}

extension Cgroup {
    /// The cgroup's current statistics.
    public func statistics() throws(CgroupError) -> CgroupStatistics { try statistics(reading: .all) }

    /// The statistics `selection` names, counting this cgroup's processes
    /// only; values left out keep their defaults.
    package func statistics(reading selection: StatisticsSelection) throws(CgroupError) -> CgroupStatistics {
        try whileLive { () throws(CgroupError) in
            counters(reading: selection).since(state.withLock { $0.baseline })
        }
    }

    /// What the cgroup's files say now, including what earlier cgroups
    /// counted in directories this one took over.
    func counters(reading selection: StatisticsSelection) -> CgroupStatistics {
        var stats = CgroupStatistics()
        let unified = unifiedDirectory
        let current = selection == .all, limitHits = selection != .usage
        if let memory = directory(of: .memory) {
            let legacy = host.legacy[.memory] != nil
            if current { stats.memoryCurrent = try? integer(memory + (legacy ? "/memory.usage_in_bytes" : "/memory.current")) }
            stats.memoryPeak = try? integer(memory + Self.peakMemoryFileName(legacy: legacy))
            if limitHits {
                let events = try? keyedValues(memory + (legacy ? "/memory.oom_control" : "/memory.events"))
                stats.oomKills = events?["oom_kill"] ?? 0
            }
        }
        if let unified, let cpu = try? keyedValues(unified + "/cpu.stat") {
            stats.cpuUsage = cpu["usage_usec"].map { .microseconds($0) }
            stats.cpuUser = cpu["user_usec"].map { .microseconds($0) }
            stats.cpuSystem = cpu["system_usec"].map { .microseconds($0) }
            stats.throttledPeriods = cpu["nr_throttled"]
            stats.throttledTime = cpu["throttled_usec"].map { .microseconds($0) }
        } else if let cpuacct = legacyDirectory(CgroupController(rawValue: "cpuacct")) {
            stats.cpuUsage = (try? integer(cpuacct + "/cpuacct.usage")).map { .nanoseconds($0) }
            stats.cpuUser = (try? integer(cpuacct + "/cpuacct.usage_user")).map { .nanoseconds($0) }
            stats.cpuSystem = (try? integer(cpuacct + "/cpuacct.usage_sys")).map { .nanoseconds($0) }
        }
        if current, let cpu = legacyDirectory(.cpu), let values = try? keyedValues(cpu + "/cpu.stat") {
            stats.throttledPeriods = values["nr_throttled"]
            stats.throttledTime = values["throttled_time"].map { .nanoseconds($0) }
        }
        if let pids = directory(of: .pids) {
            if current { stats.pidsCurrent = try? integer(pids + "/pids.current") }
            if limitHits { stats.pidsLimitHits = (try? keyedValues(pids + "/pids.events"))?["max"] ?? 0 }
        }
        guard current else { return stats }
        if let io = legacyDirectory(.io), let text = try? contents(io + "/blkio.throttle.io_service_bytes_recursive") {
            stats.ioReadBytes = Self.sum(text, key: "Read")
            stats.ioWriteBytes = Self.sum(text, key: "Write")
        } else if let unified, let text = try? contents(unified + "/io.stat") {
            stats.ioReadBytes = Self.sum(text, key: "rbytes")
            stats.ioWriteBytes = Self.sum(text, key: "wbytes")
        }
        return stats
    }

    /// The file holding the largest memory use (memory.peak; v1
    /// memory.max_usage_in_bytes), which every result reads.
    var peakMemoryFile: String? {
        directory(of: .memory).map { $0 + Self.peakMemoryFileName(legacy: host.legacy[.memory] != nil) }
    }

    private static func peakMemoryFileName(legacy: Bool) -> String {
        legacy ? "/memory.max_usage_in_bytes" : "/memory.peak"
    }

    /// Sums the values of `key` in io.stat ("8:0 rbytes=1 wbytes=2") or v1
    /// blkio ("8:0 Read 1") text.
    private static func sum(_ text: String, key: String) -> Int {
        var total = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            for (index, field) in fields.enumerated() {
                if field.hasPrefix(key + "="), let value = Int(field.dropFirst(key.count + 1)) { total += value }
                if field == key, index + 1 < fields.count, fields.count == 3, let value = Int(fields[index + 1]) { total += value }
            }
        }
        return total
    }
}

extension CgroupStatistics {
    /// These statistics without what `baseline` counted: the counters
    /// (CPU time, throttling, OOM kills, pids-limit hits, I/O) only grow, so
    /// a cgroup that took over directories subtracts their counts at take-over.
    func since(_ baseline: CgroupStatistics) -> CgroupStatistics {
        func minus<Value: AdditiveArithmetic>(_ value: Value?, _ base: Value?) -> Value? {
            guard let value, let base else { return value }
            return value - base
        }
        var stats = self
        stats.oomKills -= baseline.oomKills
        stats.pidsLimitHits -= baseline.pidsLimitHits
        stats.cpuUsage = minus(cpuUsage, baseline.cpuUsage)
        stats.cpuUser = minus(cpuUser, baseline.cpuUser)
        stats.cpuSystem = minus(cpuSystem, baseline.cpuSystem)
        stats.throttledPeriods = minus(throttledPeriods, baseline.throttledPeriods)
        stats.throttledTime = minus(throttledTime, baseline.throttledTime)
        stats.ioReadBytes = minus(ioReadBytes, baseline.ioReadBytes)
        stats.ioWriteBytes = minus(ioWriteBytes, baseline.ioWriteBytes)
        return stats
    }
}
