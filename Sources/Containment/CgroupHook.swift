import Cgroups
import Glibc

/// Puts each spawn in a cgroup of its own: created before clone, entered by
/// CLONE_INTO_CGROUP on cgroup2 and by pid on v1 controllers before the
/// child is released, killed with the sandbox, measured for the verdict and
/// removed after the last process is gone.
struct CgroupHook: SpawnHook {
    let limits: ResourceLimits
    /// Where the cgroups go, found once per prepared command.
    let placement: Placement

    init(limits: ResourceLimits) throws {
        self.limits = limits
        placement = try Cgroup.placement(for: limits)
    }

    func begin() throws -> any SpawnSession { CgroupSession(cgroup: try Cgroup.create(limits: limits, placement: placement)) }
}

/// One spawn's cgroup.
final class CgroupSession: SpawnSession {
    let cgroup: Cgroup
    init(cgroup: Cgroup) { self.cgroup = cgroup }

    func prepare(_ values: inout SpawnValues) throws {
        guard let directory = try cgroup.openUnifiedDirectory() else { return }
        values.cgroupDescriptor = directory.rawValue
        values.closeAfterClone.append(directory.rawValue)
    }

    func childCreated(pid: Int32) throws {
        try cgroup.attach(pid: pid, legacyOnly: cgroup.unifiedDirectory != nil)
    }

    func killAll() -> Bool { (try? cgroup.kill()) != nil }

    /// An OOM kill makes the verdict `.memoryLimit`, a failed fork at
    /// pids.max `.pidsLimit` (unless the payload succeeded or was ended for
    /// another reason); the cgroup's peak memory and CPU time cover every
    /// process of the sandbox, also those nobody waited for.
    func finish(_ termination: Termination, verdict: inout Verdict, usage: inout ResourceUsage) {
        let stats = cgroup.statistics(forVerdict: true)
        if verdict.isNormal && !termination.isSuccess {
            if stats.oomKills > 0 { verdict = .memoryLimit } else if stats.pidsLimitHits > 0 { verdict = .pidsLimit }
        }
        if let peak = stats.memoryPeak { usage.peakMemory = max(usage.peakMemory, peak) }
        if let user = stats.cpuUser, let system = stats.cpuSystem {
            usage.userTime = max(usage.userTime, user)
            usage.systemTime = max(usage.systemTime, system)
        }
    }

    func cleanUp() { try? cgroup.remove() }
}
