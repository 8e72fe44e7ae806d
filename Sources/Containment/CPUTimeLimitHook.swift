/// Gives the verdict `.cpuTimeLimit` to a payload that RLIMIT_CPU stopped:
/// SIGXCPU at the soft limit, or SIGKILL once it used the hard limit.
struct CPUTimeLimitHook: SpawnHook {
    private let session: CPUTimeLimitSession

    /// The hook for `limits`, when they limit CPU time.
    init?(_ limits: [ResourceLimit]) {
        guard let limit = limits.first(where: { $0.kind == .cpuTime }) else { return nil }
        session = CPUTimeLimitSession(hardSeconds: limit.hard)
    }

    /// The session holds no per-spawn state, so every spawn shares it.
    func begin() throws -> any SpawnSession { session }
}

private final class CPUTimeLimitSession: SpawnSession {
    /// The RLIMIT_CPU hard limit in seconds; nil: unlimited.
    let hardSeconds: UInt64?
    init(hardSeconds: UInt64?) { self.hardSeconds = hardSeconds }

    func finish(_ termination: Termination, verdict: inout Verdict, usage: inout ResourceUsage) {
        guard verdict.isNormal else { return }
        switch termination {
        case .signaled(.cpuTimeExceeded):
            verdict = .cpuTimeLimit
        case .signaled(.kill):
            // The kernel kills at the hard limit, checked at tick granularity.
            if let hardSeconds, usage.cpuTime >= .seconds(hardSeconds) - .milliseconds(50) { verdict = .cpuTimeLimit }
        default:
            break
        }
    }
}
