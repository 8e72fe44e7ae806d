import Cgroups
import Glibc
import Synchronization

/// Puts each spawn in a cgroup of its own: created before clone, entered by
/// CLONE_INTO_CGROUP on cgroup2 and by pid on v1 controllers before the
/// child is released, killed with the sandbox, measured for the verdict and
/// removed after the last process is gone (or, where it qualifies, kept for
/// the next spawn: ``CgroupRecycler``).
///
/// Where the child is attached by pid, it waits for its parent anyway, so
/// only the cgroup2 directory precedes clone: the v1 directories and the
/// limits are made while the spawn thread clones (clone3 with new
/// namespaces keeps it busy for the better part of a millisecond).
struct CgroupHook: SpawnHook {
    /// The cgroups' limits, checked, and where they go: worked out once per
    /// prepared command, so a spawn only makes directories and writes files.
    let plan: CgroupPlan
    /// Keeps what finished spawns' cgroups may hand over to the next ones;
    /// nil when nothing qualifies on this host.
    let recycler: CgroupRecycler?

    /// Readies the parent for the cgroups of `plan` (``CgroupPlan/prepareParent()``);
    /// `recycles`: whether spawns keep directories for the next ones.
    init(plan: CgroupPlan, recycles: Bool) throws {
        try plan.prepareParent()
        self.plan = plan
        recycler = recycles ? CgroupRecycler(plan: plan) : nil
    }

    func begin() throws -> any SpawnSession {
        let recycled = recycler?.take()
        guard plan.attachesByPid else {
            return CgroupSession(cgroup: try Cgroup.create(plan: plan, reusing: recycled), rest: nil, recycler: recycler)
        }
        return CgroupSession(cgroup: try Cgroup.createUnified(plan: plan, reusing: recycled), rest: plan, recycler: recycler)
    }
}

/// One spawn's cgroup.
final class CgroupSession: SpawnSession {
    let cgroup: Cgroup
    /// The plan whose v1 directories and limits are still to be made, while
    /// the child is cloned.
    private let rest: CgroupPlan?
    private let recycler: CgroupRecycler?
    /// Set once the sandbox ran to its end: only then is the cgroup
    /// recycled; a failed setup's is removed.
    private let finished = Atomic(false)

    init(cgroup: Cgroup, rest: CgroupPlan?, recycler: CgroupRecycler?) {
        self.cgroup = cgroup
        self.rest = rest
        self.recycler = recycler
    }

    func whileCloning() throws {
        if let rest { try cgroup.completeCreation(plan: rest) }
    }

    func prepare(_ values: inout SpawnValues) throws {
        values.cgroupDescriptor = try cgroup.unifiedDirectoryDescriptor()
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
        finished.store(true, ordering: .relaxed)
        let limitHitsMatter = verdict.isNormal && !termination.isSuccess
        guard let stats = try? cgroup.statistics(reading: limitHitsMatter ? .usageAndLimitHits : .usage) else { return }
        if limitHitsMatter {
            if stats.oomKills > 0 { verdict = .memoryLimit } else if stats.pidsLimitHits > 0 { verdict = .pidsLimit }
        }
        if let peak = stats.memoryPeak { usage.peakMemory = max(usage.peakMemory, peak) }
        if let user = stats.cpuUser, let system = stats.cpuSystem {
            usage.userTime = max(usage.userTime, user)
            usage.systemTime = max(usage.systemTime, system)
        }
    }

    func cleanUp() {
        if let recycler, finished.load(ordering: .relaxed) { recycler.recycle(cgroup) } else { try? cgroup.remove() }
    }
}
