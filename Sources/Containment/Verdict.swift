/// Why a sandboxed process ended, beyond its `Termination`: whether a limit of
/// the sandbox stopped it or it ended on its own.
public struct Verdict: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Kind: Hashable {
        case normal
        case wallTimeLimit
        case killedOnRequest
        case memoryLimit
        case cpuTimeLimit
        case pidsLimit
        case outputLimit
        case seccompViolation(String)
    }

    private let kind: Kind
    private init(_ kind: Kind) { self.kind = kind }

    /// It ended on its own (any exit code or signal not caused by the sandbox).
    public static let normal = Verdict(.normal)
    /// The sandbox's wall-time limit ran out and it was killed.
    public static let wallTimeLimit = Verdict(.wallTimeLimit)
    /// `SandboxProcess.kill()` ended it.
    public static let killedOnRequest = Verdict(.killedOnRequest)
    /// The memory limit was hit and the OOM killer ended it.
    public static let memoryLimit = Verdict(.memoryLimit)
    /// Its CPU-time limit ran out.
    public static let cpuTimeLimit = Verdict(.cpuTimeLimit)
    /// It hit the pids limit (a fork failed) and was ended.
    public static let pidsLimit = Verdict(.pidsLimit)
    /// It wrote more than a collected stream's limit, whose overflow is
    /// `OutputOverflow.endSandbox`, and was ended.
    public static let outputLimit = Verdict(.outputLimit)
    /// The seccomp filter killed it for calling `syscall`.
    public static func seccompViolation(syscall: String) -> Verdict { Verdict(.seccompViolation(syscall)) }

    /// For a seccomp violation, the name of the system call; else nil.
    public var violatingSystemCall: String? {
        if case .seccompViolation(let name) = kind { return name }
        return nil
    }

    /// True when the process ended on its own.
    public var isNormal: Bool { kind == .normal }

    /// A stable, machine-readable name of the kind of verdict, for logs and
    /// JSON: "normal", "wall-time-limit", "killed-on-request",
    /// "memory-limit", "cpu-time-limit", "pids-limit", "output-limit" or
    /// "seccomp-violation" (the call is in ``violatingSystemCall``).
    public var code: String {
        switch kind {
        case .normal: "normal"
        case .wallTimeLimit: "wall-time-limit"
        case .killedOnRequest: "killed-on-request"
        case .memoryLimit: "memory-limit"
        case .cpuTimeLimit: "cpu-time-limit"
        case .pidsLimit: "pids-limit"
        case .outputLimit: "output-limit"
        case .seccompViolation: "seccomp-violation"
        }
    }

    public var description: String {
        switch kind {
        case .normal: "normal"
        case .wallTimeLimit: "wall-time limit"
        case .killedOnRequest: "killed on request"
        case .memoryLimit: "memory limit"
        case .cpuTimeLimit: "CPU-time limit"
        case .pidsLimit: "pids limit"
        case .outputLimit: "output limit"
        case .seccompViolation(let name): "seccomp violation (\(name))"
        }
    }
}
