import Containment
import Glibc

/// sandbox-run's exit codes. The payload's own code passes through; codes
/// 125 to 127 are reserved, as in docker run and env(1).
enum ExitStatus {
    /// sandbox-run failed: unknown flag or bad value, invalid configuration,
    /// the host refused a namespace or cgroup, or a setup step failed.
    static let sandboxFailed: Int32 = 125
    /// The command exists but cannot be executed (EACCES, ENOEXEC).
    static let cannotExecute: Int32 = 126
    /// The command was not found (ENOENT).
    static let notFound: Int32 = 127

    /// The exit code for a payload's termination: its code, or 128+N for
    /// signal N, as shells report it.
    static func code(for termination: Termination) -> Int32 {
        switch termination {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal.rawValue
        }
    }

    /// The exit code for an error: 126 or 127 when exec failed, else 125.
    static func code(for error: any Error) -> Int32 {
        guard let error = error as? SandboxError, error.code == .setupFailed,
              error.step?.hasPrefix("exec ") == true, let errno = error.errno else { return sandboxFailed }
        switch errno.rawValue {
        case ENOENT, ENOTDIR: return notFound
        case EACCES, ENOEXEC, EPERM: return cannotExecute
        default: return sandboxFailed
        }
    }
}
