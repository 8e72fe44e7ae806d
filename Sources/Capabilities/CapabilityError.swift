/// A capability, identity, resource-limit or Landlock configuration the SDK
/// rejects before any process exists, or a host that cannot enforce it.
public struct CapabilityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of what went wrong.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A capability name or number the kernel does not know.
        public static let unknownCapability = Code(rawValue: "unknown-capability")
        /// The capability sets contradict each other or the kernel's rules
        /// (ambient outside permitted and inheritable, effective outside
        /// permitted, inheritable outside bounding).
        public static let inconsistentSets = Code(rawValue: "inconsistent-capability-sets")
        /// The sets cannot be what the payload holds after execve(2) for the
        /// uid it runs as (capabilities(7), "Transformation of capabilities
        /// during execve()").
        public static let unreachableAfterExec = Code(rawValue: "unreachable-after-exec")
        /// The securebits forbid what the configuration needs.
        public static let securebitsConflict = Code(rawValue: "securebits-conflict")
        /// The identity is invalid (too many supplementary groups).
        public static let invalidIdentity = Code(rawValue: "invalid-identity")
        /// A resource limit is invalid (soft above hard, given twice).
        public static let invalidResourceLimit = Code(rawValue: "invalid-resource-limit")
        /// A Landlock rule is invalid (relative or missing path, empty access).
        public static let invalidLandlockRule = Code(rawValue: "invalid-landlock-rule")
        /// The kernel's Landlock ABI cannot enforce the ruleset and the
        /// caller asked for strict enforcement.
        public static let landlockUnsupported = Code(rawValue: "landlock-unsupported")
        /// A host-side call failed (reading capabilities, building a ruleset).
        public static let hostFailure = Code(rawValue: "host-failure")
    }

    /// What went wrong.
    public var code: Code
    /// The configuration field involved, e.g. "capabilities.ambient".
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
