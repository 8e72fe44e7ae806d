import Glibc
import Synchronization

/// Learn mode: a filter that lets every system call through the host's
/// notification handler and records it, and the minimal allowlist filter
/// for what it saw.
///
/// ```swift
/// let learner = SeccompLearner()
/// sandbox.seccomp = learner.filter
/// _ = try await sandbox.run("/bin/ls", ["-l", "/"])
/// sandbox.seccomp = learner.learnedFilter()   // denies everything else
/// ```
public final class SeccompLearner: Sendable {
    private let seen = Mutex<Set<Int32>>([])

    /// A learner with nothing recorded.
    public init() {}

    /// The recording filter: every native call is notified, recorded and
    /// allowed to run (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`); foreign ABIs are
    /// killed.
    public var filter: SeccompFilter {
        var filter = SeccompFilter(defaultAction: .notify)
        filter.notificationHandler = { [self] notification in
            if notification.isNativeArchitecture { _ = seen.withLock { $0.insert(notification.systemCallNumber) } }
            return .allow
        }
        return filter
    }

    /// The calls recorded so far, by number, sorted.
    public var systemCalls: [SystemCall] {
        seen.withLock { $0.sorted() }.map { SystemCall(number: $0) }
    }

    /// An allowlist of the recorded calls; everything else takes
    /// `defaultAction` (kill, reported as a violation, by default).
    public func learnedFilter(defaultAction: SeccompAction = .killProcess) -> SeccompFilter {
        var filter = SeccompFilter(defaultAction: defaultAction)
        filter.add(systemCalls, .allow)
        return filter
    }
}
