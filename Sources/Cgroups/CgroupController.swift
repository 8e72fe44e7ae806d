/// A cgroup controller, named as the kernel names it in cgroup.controllers
/// (v2) or in the v1 mount options.
public struct CgroupController: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Memory (memory.max; v1 memory.limit_in_bytes).
    public static let memory = CgroupController(rawValue: "memory")
    /// CPU bandwidth and weight (cpu.max, cpu.weight; v1 cpu.cfs_quota_us, cpu.shares).
    public static let cpu = CgroupController(rawValue: "cpu")
    /// CPU and memory-node pinning (cpuset.cpus, cpuset.mems).
    public static let cpuset = CgroupController(rawValue: "cpuset")
    /// Number of tasks (pids.max).
    public static let pids = CgroupController(rawValue: "pids")
    /// Block I/O (io.max, io.weight; v1 blkio.throttle.*, blkio.bfq.weight).
    public static let io = CgroupController(rawValue: "io")
    /// v1 only: freezing (freezer.state); v2 has cgroup.freeze in every cgroup.
    public static let freezer = CgroupController(rawValue: "freezer")

    /// The controller's name in a v1 mount ("io" is "blkio" there).
    var legacyName: String { self == .io ? "blkio" : rawValue }
}
