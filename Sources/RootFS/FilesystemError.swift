/// A filesystem configuration the SDK rejects before any process exists:
/// a code, the field at fault and how to fix it.
public struct FilesystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of what went wrong.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The code as text, e.g. "missing-source".
        public let rawValue: String
        /// Creates a code.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code as text.
        public var description: String { rawValue }

        /// A path that must be absolute is relative.
        public static let relativePath = Code(rawValue: "relative-path")
        /// A target leaves the sandbox's root ("/../etc") or is the root itself.
        public static let targetOutsideRoot = Code(rawValue: "target-outside-root")
        /// A path is empty or holds a NUL byte.
        public static let invalidPath = Code(rawValue: "invalid-path")
        /// A host path (bind source, image, overlay layer) does not exist.
        public static let missingSource = Code(rawValue: "missing-source")
        /// A host path is not of the kind needed (a file where a directory must be).
        public static let wrongSourceType = Code(rawValue: "wrong-source-type")
        /// A size is zero or negative.
        public static let invalidSize = Code(rawValue: "invalid-size")
        /// An option is out of range or contradicts another.
        public static let invalidOption = Code(rawValue: "invalid-option")
        /// A mount needs a namespace the sandbox does not create.
        public static let namespaceRequired = Code(rawValue: "namespace-required")
    }

    /// What went wrong.
    public var code: Code
    /// The configuration field at fault, e.g. "mounts[2].source".
    public var field: String
    /// What is wrong and how to fix it, starting with the field.
    public var message: String

    /// Creates an error; `message` says what is wrong and the fix.
    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = "\(field): \(message)"
    }

    /// The message: the field, what is wrong and the fix.
    public var description: String { message }
}
