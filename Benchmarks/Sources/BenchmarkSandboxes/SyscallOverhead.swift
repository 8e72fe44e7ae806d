import Containment
import Glibc

/// The per-call cost of an allowed system call under a seccomp filter: the
/// payload (this benchmark's own binary, `--getppid-loop`) times getppid(2),
/// which the kernel's seccomp action cache answers without running the
/// filter when the filter allows it for every argument.
public enum SyscallOverhead {
    /// Calls per timed loop, and loops per run (the best one counts).
    static let calls = 200_000
    static let loops = 5

    /// Nanoseconds per getppid(2) in this process (glibc does not cache it:
    /// every call enters the kernel): the best of `loops` loops.
    public static func measureHere() -> Double {
        var best = Double.infinity
        for _ in 0..<loops {
            let start = ContinuousClock.now
            for _ in 0..<calls { _ = getppid() }
            let elapsed = start.duration(to: .now)
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            best = min(best, nanoseconds / Double(calls))
        }
        return best
    }

    /// Nanoseconds per getppid(2) in a sandbox (all namespaces, uid map)
    /// under `filter`, measured by `executable --getppid-loop`.
    public static func measure(in filter: SeccompFilter?, executable: String) async throws -> Double {
        var sandbox = Sandbox()
        sandbox.user = .root(mappedTo: .currentUser)
        sandbox.seccomp = filter
        let result = try await sandbox.run(executable, ["--getppid-loop"], output: .string(limit: 64))
        guard result.termination.isSuccess, let value = result.standardOutput.split(separator: "\n").first.flatMap({ Double($0) }) else {
            throw SyscallOverheadError(result: "\(result.termination), output \(result.standardOutput)")
        }
        return value
    }
}

/// The payload of `SyscallOverhead.measure` did not print a figure.
public struct SyscallOverheadError: Error, CustomStringConvertible {
    let result: String
    public var description: String { "the getppid loop failed: \(result)" }
}
