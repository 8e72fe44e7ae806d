/// A system call a `notify` rule stopped, waiting for the host's answer
/// (`struct seccomp_notif` from `SECCOMP_IOCTL_NOTIF_RECV`, seccomp_unotify(2)).
public struct SeccompNotification: Sendable, Hashable, CustomStringConvertible {
    /// The kernel's id of this notification.
    public let id: UInt64
    /// Host pid of the calling thread.
    public let pid: Int32
    /// The system call number (of `architecture`).
    public let systemCallNumber: Int32
    /// The `AUDIT_ARCH_*` value of the calling ABI.
    public let architecture: UInt32
    /// Whether the call came through the native ABI.
    public let isNativeArchitecture: Bool
    /// The instruction pointer at the call.
    public let instructionPointer: UInt64
    /// The six raw argument registers.
    public let arguments: [UInt64]

    /// The call's name, or "syscall N" (with the ABI for a foreign one).
    public var systemCallName: String {
        let name = SystemCall.name(of: systemCallNumber, architecture: architecture) ?? "syscall \(systemCallNumber)"
        return isNativeArchitecture ? name : "\(name) (foreign ABI 0x\(String(architecture, radix: 16)))"
    }

    public var description: String {
        "pid \(pid): \(systemCallName)(" + arguments.map { "0x" + String($0, radix: 16) }.joined(separator: ", ") + ")"
    }
}

/// The host's answer to a notification (`struct seccomp_notif_resp`).
public struct SeccompResponse: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Kind: Hashable { case allow, fail(Int32), value(Int64), kill }
    fileprivate let kind: Kind

    /// Let the kernel run the call (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`).
    public static let allow = SeccompResponse(kind: .allow)
    /// Fail the call with errno `code` without running it.
    public static func fail(_ code: Int32) -> SeccompResponse { SeccompResponse(kind: .fail(code)) }
    /// Return `value` from the call without running it.
    public static func value(_ value: Int64) -> SeccompResponse { SeccompResponse(kind: .value(value)) }
    /// Kill the sandbox; its verdict names the call as a seccomp violation.
    public static let kill = SeccompResponse(kind: .kill)

    /// Fields of `struct seccomp_notif_resp`: val, error, flags.
    var response: (value: Int64, error: Int32, flags: UInt32) {
        switch kind {
        case .allow: (0, 0, 1 /* SECCOMP_USER_NOTIF_FLAG_CONTINUE */)
        case .fail(let code): (0, -code, 0)
        case .value(let value): (value, 0, 0)
        case .kill: (0, -38 /* ENOSYS */, 0)
        }
    }

    var kills: Bool { kind == .kill }

    public var description: String {
        switch kind {
        case .allow: "allow"
        case .fail(let code): "fail(\(code))"
        case .value(let value): "value(\(value))"
        case .kill: "kill"
        }
    }
}

/// Answers the notifications of one filter in the host, on the shared event
/// loop (no thread per sandbox). Called for `notify` rules only; kill actions
/// of a supervised filter never reach it.
public typealias SeccompNotificationHandler = @Sendable (SeccompNotification) async -> SeccompResponse
