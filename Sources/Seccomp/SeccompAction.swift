import Glibc

/// What the kernel does when a seccomp filter matches a system call: one of
/// the `SECCOMP_RET_*` return values of a filter (seccomp(2)).
public struct SeccompAction: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Kind: Hashable {
        case allow, errno(Int32), killProcess, killThread, trap, log, notify
    }

    private let kind: Kind
    private init(_ kind: Kind) { self.kind = kind }

    /// Run the system call (`SECCOMP_RET_ALLOW`).
    public static let allow = SeccompAction(.allow)
    /// Fail the call with `code` without running it (`SECCOMP_RET_ERRNO`).
    public static func errno(_ code: Int32) -> SeccompAction { SeccompAction(.errno(code)) }
    /// Fail the call with EPERM (`SECCOMP_RET_ERRNO | EPERM`).
    public static let deny = errno(EPERM)
    /// Kill the whole process (`SECCOMP_RET_KILL_PROCESS`). In a sandbox the
    /// verdict names the system call (see ``SeccompProgram/Variant/supervised``).
    public static let killProcess = SeccompAction(.killProcess)
    /// Kill the calling thread (`SECCOMP_RET_KILL_THREAD`).
    public static let killThread = SeccompAction(.killThread)
    /// Send SIGSYS to the calling thread (`SECCOMP_RET_TRAP`).
    public static let trap = SeccompAction(.trap)
    /// Run the call and log it to the kernel's audit log (`SECCOMP_RET_LOG`).
    public static let log = SeccompAction(.log)
    /// Ask the host's notification handler (`SECCOMP_RET_USER_NOTIF`).
    public static let notify = SeccompAction(.notify)

    /// The filter return value (`SECCOMP_RET_*`, the value libseccomp's
    /// `SCMP_ACT_*` macros produce).
    public var kernelValue: UInt32 {
        switch kind {
        case .allow: 0x7fff_0000
        case .errno(let code): 0x0005_0000 | (UInt32(bitPattern: code) & 0xffff)
        case .killProcess: 0x8000_0000
        case .killThread: 0x0000_0000
        case .trap: 0x0003_0000
        case .log: 0x7ffc_0000
        case .notify: 0x7fc0_0000
        }
    }

    /// Precedence when several filters or rules apply: the kernel runs the
    /// action with the highest (kill first, allow last).
    var precedence: Int {
        switch kind {
        case .killProcess: 7
        case .killThread: 6
        case .trap: 5
        case .errno: 4
        case .notify: 3
        case .log: 1
        case .allow: 0
        }
    }

    /// Whether the call never reaches the kernel: errno, trap or a kill.
    /// (`notify` leaves the answer to the host's handler.)
    public var refusesCall: Bool { precedence >= SeccompAction.errno(0).precedence }

    /// The errno of an `errno` action.
    public var errnoCode: Int32? {
        if case .errno(let code) = kind { return code }
        return nil
    }

    /// The libseccomp name used by Docker and OCI profiles (`SCMP_ACT_ALLOW`).
    public var profileName: String {
        switch kind {
        case .allow: "SCMP_ACT_ALLOW"
        case .errno: "SCMP_ACT_ERRNO"
        case .killProcess: "SCMP_ACT_KILL_PROCESS"
        case .killThread: "SCMP_ACT_KILL_THREAD"
        case .trap: "SCMP_ACT_TRAP"
        case .log: "SCMP_ACT_LOG"
        case .notify: "SCMP_ACT_NOTIFY"
        }
    }

    /// The action a profile name (`SCMP_ACT_*`) stands for, `errno` taking
    /// `errnoCode`; nil for names the SDK does not know or support.
    public init?(profileName: String, errnoCode: Int32 = EPERM) {
        switch profileName {
        case "SCMP_ACT_ALLOW": self = .allow
        case "SCMP_ACT_ERRNO": self = .errno(errnoCode)
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": self = .killThread
        case "SCMP_ACT_KILL_PROCESS": self = .killProcess
        case "SCMP_ACT_TRAP": self = .trap
        case "SCMP_ACT_LOG": self = .log
        case "SCMP_ACT_NOTIFY": self = .notify
        default: return nil
        }
    }

    public var description: String {
        switch kind {
        case .allow: "allow"
        case .errno(let code): "errno(\(code))"
        case .killProcess: "kill process"
        case .killThread: "kill thread"
        case .trap: "trap"
        case .log: "log"
        case .notify: "notify"
        }
    }
}
