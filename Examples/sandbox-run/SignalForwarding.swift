import CContainment
import Containment
import ContainmentSupport
import Glibc

/// The signals a terminal or a supervisor sends to end a command: SIGINT
/// (Ctrl-C), SIGTERM, SIGHUP and SIGQUIT. While a payload runs, sandbox-run
/// passes them on to the sandbox instead of dying of them: the payload
/// decides what they mean (the minimal init forwards them to it), and
/// sandbox-run still reaps it and removes its cgroup.
enum SignalForwarding {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Blocks the signals and returns a signalfd that reads them, or nil
    /// when the host has none to give (the signals then act as before).
    /// Call it on the main thread before any other thread starts, so that
    /// every thread inherits the mask; sandboxes start with every signal
    /// unblocked.
    static func block() -> Int32? {
        let fd = signals.withUnsafeBufferPointer { cn_signalfd_blocking($0.baseAddress, Int32($0.count)) }
        return fd >= 0 ? fd : nil
    }

    /// Sends `process` every signal read from `fd`, for as long as
    /// sandbox-run runs.
    static func forward(_ fd: Int32, to process: SandboxProcess) {
        Task.detached {
            while (try? await EventLoop.shared().waitUntilReadable(fd)) != nil {
                while case let signal = cn_signalfd_next(fd), signal > 0 {
                    try? process.signal(Signal(rawValue: signal))
                }
            }
        }
    }
}
