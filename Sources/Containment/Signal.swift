import CContainment
import Glibc

/// A signal number, as signal(7) lists them.
public struct Signal: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The signal number.
    public let rawValue: Int32
    /// Creates a signal from its number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// SIGKILL: ends the process; cannot be caught.
    public static let kill = Signal(rawValue: SIGKILL)
    /// SIGTERM: asks the process to end.
    public static let terminate = Signal(rawValue: SIGTERM)
    /// SIGINT: interrupt from the keyboard.
    public static let interrupt = Signal(rawValue: SIGINT)
    /// SIGHUP: hang-up.
    public static let hangup = Signal(rawValue: SIGHUP)
    /// SIGQUIT: quit with a core dump.
    public static let quit = Signal(rawValue: SIGQUIT)
    /// SIGUSR1.
    public static let user1 = Signal(rawValue: SIGUSR1)
    /// SIGUSR2.
    public static let user2 = Signal(rawValue: SIGUSR2)
    /// SIGSYS: bad system call, as seccomp's kill and trap actions raise it.
    public static let badSystemCall = Signal(rawValue: SIGSYS)
    /// SIGXCPU: CPU time limit (RLIMIT_CPU) exceeded.
    public static let cpuTimeExceeded = Signal(rawValue: SIGXCPU)
    /// SIGXFSZ: file size limit (RLIMIT_FSIZE) exceeded.
    public static let fileSizeExceeded = Signal(rawValue: SIGXFSZ)
    /// SIGSEGV.
    public static let segmentationFault = Signal(rawValue: SIGSEGV)
    /// SIGABRT.
    public static let abort = Signal(rawValue: SIGABRT)
    /// SIGSTOP: stops the process; cannot be caught.
    public static let stop = Signal(rawValue: SIGSTOP)
    /// SIGCONT: continues a stopped process.
    public static let `continue` = Signal(rawValue: SIGCONT)

    /// "SIGTERM", or "signal 40" for one without a name.
    public var description: String {
        guard let name = cn_signal_name(rawValue) else { return "signal \(rawValue)" }
        return "SIG" + String(cString: name)
    }
}
