/// Resource limits of a cgroup, in cgroup v2 terms. On v1 and hybrid hosts
/// each limit is written to its v1 equivalent; a limit the host cannot
/// enforce is a ``CgroupError`` with code `unsupportedLimit`, never dropped.
///
/// ```swift
/// var limits = ResourceLimits()
/// limits.memoryMax = 256 << 20
/// limits.cpuQuota = .cores(0.5)
/// limits.pidsMax = 64
/// ```
public struct ResourceLimits: Sendable, Hashable {
    /// Hard memory limit in bytes; the OOM killer runs beyond it (memory.max;
    /// v1 memory.limit_in_bytes).
    public var memoryMax: Int?
    /// Memory throttling threshold in bytes (memory.high; v2 only).
    public var memoryHigh: Int?
    /// Swap the cgroup may use, in bytes (memory.swap.max; v1
    /// memory.memsw.limit_in_bytes = memoryMax + swapMax, which needs memoryMax).
    public var swapMax: Int?
    /// CPU bandwidth (cpu.max; v1 cpu.cfs_quota_us and cpu.cfs_period_us).
    public var cpuQuota: CPUQuota?
    /// Relative CPU weight, 1...10000, default 100 (cpu.weight; v1 cpu.shares).
    public var cpuWeight: Int?
    /// CPUs the processes may run on (cpuset.cpus).
    public var cpus: [Int]?
    /// Memory nodes the processes may allocate from (cpuset.mems).
    public var memoryNodes: [Int]?
    /// Maximum number of tasks (processes and threads) (pids.max).
    public var pidsMax: Int?
    /// Relative I/O weight, 1...10000, default 100 (io.weight; v1 blkio.bfq.weight or blkio.weight).
    public var ioWeight: Int?
    /// Per-device I/O bandwidth and IOPS limits (io.max; v1 blkio.throttle.*_device).
    public var ioDeviceLimits: [IODeviceLimit]
    /// The cgroup the sandbox's cgroup is created under, as a path inside
    /// each hierarchy ("/myapp/sandboxes"); nil: the calling process's own
    /// cgroup. Give a delegated cgroup for rootless use.
    public var parent: String?

    /// Limits with nothing limited: the cgroup then only groups, measures,
    /// freezes and kills.
    public init(
        memoryMax: Int? = nil,
        memoryHigh: Int? = nil,
        swapMax: Int? = nil,
        cpuQuota: CPUQuota? = nil,
        cpuWeight: Int? = nil,
        cpus: [Int]? = nil,
        memoryNodes: [Int]? = nil,
        pidsMax: Int? = nil,
        ioWeight: Int? = nil,
        ioDeviceLimits: [IODeviceLimit] = [],
        parent: String? = nil
    ) {
        self.memoryMax = memoryMax
        self.memoryHigh = memoryHigh
        self.swapMax = swapMax
        self.cpuQuota = cpuQuota
        self.cpuWeight = cpuWeight
        self.cpus = cpus
        self.memoryNodes = memoryNodes
        self.pidsMax = pidsMax
        self.ioWeight = ioWeight
        self.ioDeviceLimits = ioDeviceLimits
        self.parent = parent
    }

    /// Rejects values the kernel would refuse, naming the field; needs no host.
    public func validate() throws(CgroupError) {
        for (field, value) in [("memoryMax", memoryMax), ("memoryHigh", memoryHigh), ("pidsMax", pidsMax)] {
            if let value, value <= 0 { throw CgroupError(.invalidLimit, field: field, "must be positive, got \(value)") }
        }
        if let swapMax, swapMax < 0 { throw CgroupError(.invalidLimit, field: "swapMax", "must not be negative, got \(swapMax)") }
        for (field, value) in [("cpuWeight", cpuWeight), ("ioWeight", ioWeight)] {
            if let value, !(1...10000).contains(value) {
                throw CgroupError(.invalidLimit, field: field, "must be within 1...10000 (100 is the default share), got \(value)")
            }
        }
        try cpuQuota?.validate()
        for (field, list) in [("cpus", cpus), ("memoryNodes", memoryNodes)] {
            guard let list else { continue }
            if list.isEmpty { throw CgroupError(.invalidLimit, field: field, "is empty; give at least one, or nil for no pinning") }
            if let bad = list.first(where: { $0 < 0 }) { throw CgroupError(.invalidLimit, field: field, "contains \(bad); numbers start at 0") }
        }
        for limit in ioDeviceLimits { try limit.validate() }
        if let parent, !parent.hasPrefix("/") || parent.split(separator: "/").contains("..") {
            throw CgroupError(.invalidLimit, field: "parent", "\"\(parent)\" must be an absolute cgroup path without \"..\", e.g. /myapp")
        }
    }

    /// The controllers these limits need.
    public var controllers: Set<CgroupController> {
        var needed: Set<CgroupController> = []
        if memoryMax != nil || memoryHigh != nil || swapMax != nil { needed.insert(.memory) }
        if cpuQuota != nil || cpuWeight != nil { needed.insert(.cpu) }
        if cpus != nil || memoryNodes != nil { needed.insert(.cpuset) }
        if pidsMax != nil { needed.insert(.pids) }
        if ioWeight != nil || !ioDeviceLimits.isEmpty { needed.insert(.io) }
        return needed
    }
}

/// CPU bandwidth: at most `quota` of CPU time every `period`, summed over all
/// CPUs (cpu.max "quota period"; v1 cpu.cfs_quota_us, cpu.cfs_period_us).
public struct CPUQuota: Sendable, Hashable, CustomStringConvertible {
    /// CPU time allowed per period, in microseconds.
    public var quotaMicroseconds: Int
    /// Length of the period, in microseconds (1000...1_000_000).
    public var periodMicroseconds: Int

    /// A quota of `quota` per `period` microseconds.
    public init(quotaMicroseconds: Int, periodMicroseconds: Int = 100_000) {
        self.quotaMicroseconds = quotaMicroseconds
        self.periodMicroseconds = periodMicroseconds
    }

    /// `cores` CPUs' worth of time (0.2 = 20% of one core, 1.5 = one and a
    /// half cores) per 100 ms period.
    public static func cores(_ cores: Double) -> CPUQuota {
        CPUQuota(quotaMicroseconds: Int((cores * 100_000).rounded()))
    }

    /// The quota in cores (quota / period).
    public var cores: Double { Double(quotaMicroseconds) / Double(periodMicroseconds) }

    public var description: String { "\(quotaMicroseconds) \(periodMicroseconds)" }

    func validate() throws(CgroupError) {
        if !(1000...1_000_000).contains(periodMicroseconds) {
            throw CgroupError(.invalidLimit, field: "cpuQuota", "period must be 1000...1000000 µs, got \(periodMicroseconds)")
        }
        if quotaMicroseconds < 1000 {
            throw CgroupError(.invalidLimit, field: "cpuQuota", "quota must be at least 1000 µs (0.01 cores per 100 ms), got \(quotaMicroseconds)")
        }
    }
}

/// Bandwidth and IOPS limits of one block device (a line of io.max; v1
/// blkio.throttle.{read,write}_{bps,iops}_device).
public struct IODeviceLimit: Sendable, Hashable {
    /// The device's major number (see /proc/partitions or `lsblk`).
    public var major: Int
    /// The device's minor number.
    public var minor: Int
    /// Bytes read per second.
    public var readBytesPerSecond: Int?
    /// Bytes written per second.
    public var writeBytesPerSecond: Int?
    /// Read operations per second.
    public var readOperationsPerSecond: Int?
    /// Write operations per second.
    public var writeOperationsPerSecond: Int?

    /// Limits for device `major:minor`; nil leaves a direction unlimited.
    public init(major: Int, minor: Int, readBytesPerSecond: Int? = nil, writeBytesPerSecond: Int? = nil,
                readOperationsPerSecond: Int? = nil, writeOperationsPerSecond: Int? = nil) {
        self.major = major
        self.minor = minor
        self.readBytesPerSecond = readBytesPerSecond
        self.writeBytesPerSecond = writeBytesPerSecond
        self.readOperationsPerSecond = readOperationsPerSecond
        self.writeOperationsPerSecond = writeOperationsPerSecond
    }

    /// "major:minor".
    var device: String { "\(major):\(minor)" }

    /// Each set limit as (v2 key, v1 file suffix, value).
    var entries: [(key: String, legacyFile: String, value: Int)] {
        [("rbps", "read_bps_device", readBytesPerSecond), ("wbps", "write_bps_device", writeBytesPerSecond),
         ("riops", "read_iops_device", readOperationsPerSecond), ("wiops", "write_iops_device", writeOperationsPerSecond)]
            .compactMap { key, file, value in value.map { (key, file, $0) } }
    }

    func validate() throws(CgroupError) {
        if major < 0 || minor < 0 { throw CgroupError(.invalidLimit, field: "ioDeviceLimits", "device \(device) is not a valid major:minor") }
        if entries.isEmpty { throw CgroupError(.invalidLimit, field: "ioDeviceLimits", "device \(device) sets no limit") }
        if let bad = entries.first(where: { $0.value <= 0 }) {
            throw CgroupError(.invalidLimit, field: "ioDeviceLimits", "\(bad.key) of \(device) must be positive, got \(bad.value)")
        }
    }
}
