/// What a sandboxed process used, from the kernel's accounting of it and the
/// descendants it waited for (getrusage(2) semantics) and the host's clock.
public struct ResourceUsage: Sendable, Hashable {
    /// Time from spawn to exit.
    public var wallTime: Duration
    /// CPU time in user mode.
    public var userTime: Duration
    /// CPU time in kernel mode.
    public var systemTime: Duration
    /// Largest resident set size, in bytes.
    public var peakMemory: Int

    /// Creates a usage record.
    public init(wallTime: Duration = .zero, userTime: Duration = .zero, systemTime: Duration = .zero, peakMemory: Int = 0) {
        self.wallTime = wallTime
        self.userTime = userTime
        self.systemTime = systemTime
        self.peakMemory = peakMemory
    }

    /// User plus system time.
    public var cpuTime: Duration { userTime + systemTime }
}
