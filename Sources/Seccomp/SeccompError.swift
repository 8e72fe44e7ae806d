/// A seccomp filter or profile the SDK rejects, or a filter operation on the
/// host that failed. Thrown before any process exists where possible.
public struct SeccompError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of what went wrong.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A rule names a system call the native architecture does not have.
        public static let unknownSystemCall = Code(rawValue: "unknown-system-call")
        /// A condition is malformed (argument index, comparison, too many).
        public static let invalidCondition = Code(rawValue: "invalid-condition")
        /// An action is unknown or not supported (SCMP_ACT_TRACE), or an errno is out of range.
        public static let invalidAction = Code(rawValue: "invalid-action")
        /// Two unconditional rules give one system call different actions.
        public static let conflictingRules = Code(rawValue: "conflicting-rules")
        /// An architecture name is unknown.
        public static let invalidArchitecture = Code(rawValue: "invalid-architecture")
        /// A profile document is not valid JSON or misses a required field.
        public static let invalidProfile = Code(rawValue: "invalid-profile")
        /// libseccomp refused a rule or the compilation.
        public static let compilationFailed = Code(rawValue: "compilation-failed")
    }

    /// What went wrong.
    public var code: Code
    /// Where: a field of the filter ("rules[3].conditions[0]") or a profile
    /// entry ("syscalls[12].args[0].op").
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
