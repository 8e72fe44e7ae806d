/// How a sandboxed process ended, as wait(2) reports it.
public enum Termination: Sendable, Hashable, CustomStringConvertible {
    /// It called exit with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Signal)

    /// True for `exited(0)`.
    public var isSuccess: Bool { self == .exited(0) }

    /// Decodes a wait status word.
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(Signal(rawValue: signal))
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited(\(code))"
        case .signaled(let signal): "signaled(\(signal))"
        }
    }
}
