import CContainment
import ContainmentSupport
import Glibc

/// A resource limit applied to the payload with prlimit(2) (setrlimit(2)):
/// a kind, a soft limit the kernel enforces and a hard ceiling for it. A
/// nil limit is RLIM_INFINITY.
///
/// ```swift
/// sandbox.resourceLimits = [.init(.openFiles, 64), .init(.cpuTime, soft: 2, hard: 3)]
/// ```
public struct ResourceLimit: Sendable, Hashable, CustomStringConvertible {
    /// Which resource (the RLIMIT_* constants of getrlimit(2)).
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The RLIMIT_* number.
        public let rawValue: Int32
        /// A kind from its RLIMIT_* number.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// RLIMIT_CPU: CPU seconds; SIGXCPU at the soft limit (every second
        /// after it), SIGKILL at the hard limit.
        public static let cpuTime = Kind(rawValue: 0)
        /// RLIMIT_FSIZE: largest file size in bytes; writing beyond raises
        /// SIGXFSZ, or fails with EFBIG when the signal is ignored.
        public static let fileSize = Kind(rawValue: 1)
        /// RLIMIT_DATA: data segment and private mappings, in bytes.
        public static let dataSize = Kind(rawValue: 2)
        /// RLIMIT_STACK: main thread stack, in bytes.
        public static let stackSize = Kind(rawValue: 3)
        /// RLIMIT_CORE: largest core dump, in bytes (0: none).
        public static let coreSize = Kind(rawValue: 4)
        /// RLIMIT_RSS: resident set size (not enforced by Linux).
        public static let residentSet = Kind(rawValue: 5)
        /// RLIMIT_NPROC: processes and threads of the real uid (checked at
        /// fork; does not apply to uid 0 of the initial user namespace).
        public static let processes = Kind(rawValue: 6)
        /// RLIMIT_NOFILE: one more than the highest descriptor number; open
        /// fails with EMFILE beyond.
        public static let openFiles = Kind(rawValue: 7)
        /// RLIMIT_MEMLOCK: bytes of locked memory.
        public static let lockedMemory = Kind(rawValue: 8)
        /// RLIMIT_AS: address space, in bytes.
        public static let addressSpace = Kind(rawValue: 9)
        /// RLIMIT_LOCKS: flock and fcntl locks.
        public static let fileLocks = Kind(rawValue: 10)
        /// RLIMIT_SIGPENDING: queued signals of the real uid.
        public static let pendingSignals = Kind(rawValue: 11)
        /// RLIMIT_MSGQUEUE: bytes of POSIX message queues of the real uid.
        public static let messageQueueBytes = Kind(rawValue: 12)
        /// RLIMIT_NICE: ceiling of the nice value, as 20 - nice.
        public static let niceCeiling = Kind(rawValue: 13)
        /// RLIMIT_RTPRIO: ceiling of the real-time priority.
        public static let realtimePriority = Kind(rawValue: 14)
        /// RLIMIT_RTTIME: microseconds of real-time CPU without blocking.
        public static let realtimeTime = Kind(rawValue: 15)

        /// Every kind Linux has.
        public static let allCases: [Kind] = (0...15).map(Kind.init(rawValue:))

        /// The C name, "RLIMIT_NOFILE".
        public var description: String {
            let names = ["CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE", "MEMLOCK", "AS",
                         "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME"]
            return names.indices.contains(Int(rawValue)) ? "RLIMIT_" + names[Int(rawValue)] : "rlimit \(rawValue)"
        }
    }

    /// The resource.
    public var kind: Kind
    /// The limit enforced; nil: unlimited.
    public var soft: UInt64?
    /// The ceiling up to which the payload may raise `soft`; nil: unlimited.
    /// Raising it above the host's needs CAP_SYS_RESOURCE on the host.
    public var hard: UInt64?

    /// A limit with distinct soft and hard values.
    public init(_ kind: Kind, soft: UInt64?, hard: UInt64?) {
        self.kind = kind
        self.soft = soft
        self.hard = hard
    }

    /// A limit whose soft and hard values are both `value`.
    public init(_ kind: Kind, _ value: UInt64?) {
        self.init(kind, soft: value, hard: value)
    }

    /// "RLIMIT_NOFILE 64/128".
    public var description: String {
        let text = { (value: UInt64?) in value.map(String.init) ?? "unlimited" }
        return "\(kind) \(text(soft))/\(text(hard))"
    }

    /// Rejects a list with a soft limit above its hard limit, an unknown
    /// kind, or a kind given twice.
    public static func validate(_ limits: [ResourceLimit]) throws(CapabilityError) {
        var seen: Set<Kind> = []
        for (index, limit) in limits.enumerated() {
            let field = "resourceLimits[\(index)]"
            if !(0...15).contains(limit.kind.rawValue) {
                throw CapabilityError(.invalidResourceLimit, field: field, "\(limit.kind) is not a resource Linux limits; use a ResourceLimit.Kind member")
            }
            if let hard = limit.hard, (limit.soft ?? .max) > hard {
                throw CapabilityError(.invalidResourceLimit, field: field,
                                      "soft limit \(limit.soft.map(String.init) ?? "unlimited") of \(limit.kind) is above its hard limit \(hard); lower soft or raise hard")
            }
            if !seen.insert(limit.kind).inserted {
                throw CapabilityError(.invalidResourceLimit, field: field, "\(limit.kind) is limited twice; keep one entry")
            }
        }
    }

    /// prlimit(2) on the child itself, in the resource-limit phase, while
    /// it is still privileged; RLIMIT_NOFILE just after the descriptors are
    /// placed, so a low limit cannot break their placement (raising its hard
    /// limit then needs CAP_SYS_RESOURCE in the payload's effective set).
    package var setupStep: SetupStep {
        let values = [soft ?? .max, hard ?? .max  /* RLIM_INFINITY */]
        let bytes = values.flatMap { withUnsafeBytes(of: $0) { Array($0) } }
        let phase: SetupPhase = kind == .openFiles ? .workingDirectory : .resourceLimits
        return .syscall(phase, "set \(self)", Int(SYS_prlimit64),
                        .integer(0), .integer(Int(kind.rawValue)), .bytes(bytes), .integer(0))
    }
}
