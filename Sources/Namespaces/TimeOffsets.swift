/// Offsets of a new time namespace's clocks from the host's (time_namespaces(7)).
public struct TimeOffsets: Sendable, Hashable {
    /// Added to CLOCK_MONOTONIC (and its COARSE and RAW variants).
    public var monotonic: Duration
    /// Added to CLOCK_BOOTTIME.
    public var boottime: Duration

    /// Creates offsets.
    public init(monotonic: Duration = .zero, boottime: Duration = .zero) {
        self.monotonic = monotonic
        self.boottime = boottime
    }

    /// No offset: the sandbox's clocks read as the host's.
    public static let zero = TimeOffsets()

    /// The text /proc/PID/timens_offsets takes: "monotonic SECS NANOSECS" lines.
    var procText: String {
        [("monotonic", monotonic), ("boottime", boottime)].map { name, offset in
            let (seconds, attoseconds) = offset.components
            var secs = seconds, nanos = attoseconds / 1_000_000_000
            if nanos < 0 { secs -= 1; nanos += 1_000_000_000 }
            return "\(name) \(secs) \(nanos)\n"
        }.joined()
    }
}
