import ContainmentSupport
import SystemPackage

/// A sandbox that could not be started: a configuration rejected before any
/// process existed, or a setup step that failed in the child.
public struct SandboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of what went wrong.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A field of the configuration is invalid; nothing was started.
        public static let invalidConfiguration = Code(rawValue: "invalid-configuration")
        /// A setup step failed in the child; `step` and `errno` say which and why.
        public static let setupFailed = Code(rawValue: "setup-failed")
        /// The host refused to create the child (clone3) or a resource for it.
        public static let spawnFailed = Code(rawValue: "spawn-failed")
    }

    /// What went wrong.
    public var code: Code
    /// The configuration field at fault, for `invalidConfiguration`.
    public var field: String?
    /// The failing step ("bind mount /data -> /mnt/data"), for `setupFailed`.
    public var step: String?
    /// The errno of a failed step or system call.
    public var errno: Errno?
    /// The whole story, with the remedy where there is one.
    public var message: String

    /// A configuration error naming `field`.
    static func invalid(_ field: String, _ message: String) -> SandboxError {
        SandboxError(code: .invalidConfiguration, field: field, message: "\(field): \(message)")
    }

    /// A failed setup step.
    static func setupFailed(step: String, errno: Errno, remedy: String? = nil) -> SandboxError {
        let text = "\(step): \(errnoName(errno.rawValue))" + (remedy.map { " — " + $0 } ?? "")
        return SandboxError(code: .setupFailed, step: step, errno: errno, message: text)
    }

    /// A failed host-side system call.
    static func spawnFailed(_ what: String, errno: Errno, remedy: String? = nil) -> SandboxError {
        let text = "\(what): \(errnoName(errno.rawValue))" + (remedy.map { " — " + $0 } ?? "")
        return SandboxError(code: .spawnFailed, step: what, errno: errno, message: text)
    }

    public var description: String { message }
}
