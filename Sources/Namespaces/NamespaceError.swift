/// A namespace configuration the SDK rejects, or a namespace operation on the
/// host that failed. Thrown before any process exists where possible.
public struct NamespaceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of what went wrong.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Two ranges of an id map overlap, inside or outside.
        public static let overlappingIDMap = Code(rawValue: "overlapping-id-map")
        /// An id map range is empty, overflows 32 bits or the map has too many lines.
        public static let invalidIDMap = Code(rawValue: "invalid-id-map")
        /// The host refused to write an id map.
        public static let idMapRefused = Code(rawValue: "id-map-refused")
        /// A hostname or domain name is too long or contains NUL.
        public static let invalidHostname = Code(rawValue: "invalid-hostname")
        /// A setting needs a namespace kind the configuration does not create.
        public static let namespaceNotCreated = Code(rawValue: "namespace-not-created")
        /// A namespace kind is both created and joined.
        public static let conflictingJoin = Code(rawValue: "conflicting-join")
        /// A namespace to join could not be opened.
        public static let joinUnavailable = Code(rawValue: "join-unavailable")
    }

    /// What went wrong.
    public var code: Code
    /// The configuration field involved, e.g. "hostname".
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
