/// A resource limit the SDK rejects, a limit this host cannot enforce, or a
/// cgroup operation that failed. Invalid limits and unsupported ones are
/// reported before any process exists.
public struct CgroupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of what went wrong.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A limit is out of range or malformed.
        public static let invalidLimit = Code(rawValue: "invalid-limit")
        /// The host has no controller (or no file) that enforces the limit.
        public static let unsupportedLimit = Code(rawValue: "unsupported-limit")
        /// No cgroup file system is mounted (neither cgroup2 nor v1 controllers).
        public static let noCgroupFileSystem = Code(rawValue: "no-cgroup-file-system")
        /// The caller may not create cgroups where the sandbox's cgroup goes.
        public static let notDelegated = Code(rawValue: "not-delegated")
        /// A controller cannot be enabled because the parent cgroup holds
        /// processes (cgroup v2's no-internal-processes rule).
        public static let internalProcesses = Code(rawValue: "internal-processes")
        /// The cgroup was removed (its sandbox ended); its directories may
        /// already serve another sandbox.
        public static let removed = Code(rawValue: "removed")
        /// Reading or writing a cgroup file failed.
        public static let operationFailed = Code(rawValue: "operation-failed")
    }

    /// What went wrong.
    public var code: Code
    /// The limit or setting involved, e.g. "memory.max" or "parent".
    public var field: String
    /// What happened and what to do about it.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
