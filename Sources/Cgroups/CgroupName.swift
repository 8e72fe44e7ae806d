import ContainmentSupport
import Glibc
import Synchronization

/// The SDK's names for the cgroups it creates:
/// "containment-<pid>-<start time>-<sequence>", where pid and start time
/// (field 22 of /proc/<pid>/stat) identify the creating process. A cgroup
/// whose creator no longer runs is stale; the sweeper removes it.
struct CgroupName: Sendable, Hashable {
    static let prefix = "containment-"

    var pid: Int32
    var startTime: UInt64
    var sequence: UInt64

    var text: String { "\(Self.prefix)\(pid)-\(startTime)-\(sequence)" }

    private static let counter = Atomic<UInt64>(0)
    private static let creator: (Int32, UInt64) = {
        let pid = getpid()
        return (pid, startTime(of: pid) ?? 0)
    }()

    /// A fresh name of the calling process.
    static func next() -> CgroupName {
        CgroupName(pid: creator.0, startTime: creator.1, sequence: counter.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    /// Parses a directory name; nil when the SDK did not make it.
    init?(_ text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let parts = text.dropFirst(Self.prefix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let pid = Int32(parts[0]), let start = UInt64(parts[1]), let sequence = UInt64(parts[2]) else { return nil }
        self.init(pid: pid, startTime: start, sequence: sequence)
    }

    init(pid: Int32, startTime: UInt64, sequence: UInt64) {
        self.pid = pid
        self.startTime = startTime
        self.sequence = sequence
    }

    /// True when the process that made the cgroup is gone (its pid is free
    /// or now names a process that started at another time).
    var creatorIsGone: Bool { Self.startTime(of: pid) != startTime }

    /// Field 22 (starttime, in clock ticks since boot) of /proc/<pid>/stat.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? readText("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name start at field 3 (state).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
