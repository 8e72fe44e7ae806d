/// The outcome of a sandboxed run: how it ended, why, what it used and,
/// when collected, what it printed.
public struct SandboxResult: Sendable, Hashable {
    /// Exit status or signal of the payload.
    public var termination: Termination
    /// Why it ended.
    public var verdict: Verdict
    /// What it used.
    public var usage: ResourceUsage
    /// Collected standard output (empty unless collected).
    public var standardOutputBytes: [UInt8]
    /// Collected standard error (empty unless collected).
    public var standardErrorBytes: [UInt8]
    /// Bytes of standard output beyond the collection limit, read and
    /// dropped (or read until the sandbox ended, with
    /// `OutputOverflow.endSandbox`); 0 when everything fit.
    public var droppedStandardOutputBytes = 0
    /// Bytes of standard error beyond the collection limit.
    public var droppedStandardErrorBytes = 0

    /// Standard output decoded as UTF-8.
    public var standardOutput: String { String(decoding: standardOutputBytes, as: UTF8.self) }
    /// Standard error decoded as UTF-8.
    public var standardError: String { String(decoding: standardErrorBytes, as: UTF8.self) }
}
