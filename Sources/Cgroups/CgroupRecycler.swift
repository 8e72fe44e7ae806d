import Glibc
import Synchronization

/// The directories a finished cgroup hands over to the next cgroup of the
/// same plan (``Cgroup/create(plan:reusing:)``), with their limits in place.
package struct RecycledCgroup: Sendable {
    let name: String
    let unifiedDirectory: String?
    /// The handed-over v1 directories, by controller.
    let legacy: [CgroupController: String]
    /// Their counters at hand-over (CPU time, pids-limit hits).
    let baseline: CgroupStatistics
    /// Their open control files, by path (see ``Cgroup/State/descriptors``).
    let descriptors: [String: Int32]
}

/// Keeps the directories of a plan's finished cgroups that carry nothing
/// over to the next sandbox, so that its next cgroup takes them instead of
/// making and removing them again: on hybrid hosts the cgroup2 directory
/// (mkdir, rmdir and the kernel's deferred release cost about 100 µs a
/// spawn) and, where it has a hierarchy of its own, the v1 pids directory.
///
/// A directory qualifies when nothing in it outlives its processes except
/// counters: a cgroup2 directory whose parent enables no controller for it
/// (cgroup.subtree_control empty), and v1 pids, whose only state is the
/// plan's pids.max. Memory directories never qualify: page cache stays
/// charged to them. A cgroup is handed over only when it is empty, was never
/// frozen nor its limits changed, and no operation runs on it; its
/// counters at hand-over are subtracted from its successor's statistics.
/// Handles kept past their sandbox fail with ``CgroupError/Code/removed``
/// and never reach the successor. At most ``capacity`` cgroups' directories
/// are kept; the rest, and all of them once the recycler is released, are removed.
package final class CgroupRecycler: Sendable {
    /// How many finished cgroups' directories are kept at most.
    package static let capacity = 8

    private let keepsUnified: Bool
    private let keptControllers: Set<CgroupController>
    private let idle = Mutex<[RecycledCgroup]>([])

    /// A recycler for cgroups of `plan`, whose parent is prepared
    /// (``CgroupPlan/prepareParent()``); nil when none of their directories qualifies.
    package init?(plan: CgroupPlan) {
        let placement = plan.placement
        let enabled = placement.unifiedParent.flatMap { try? Cgroup.readFile($0 + "/cgroup.subtree_control") }
        keepsUnified = enabled?.allSatisfy(\.isWhitespace) ?? false
        // A co-mounted controller's directory holds more than pids' state.
        let pidsMount = placement.host.legacy[.pids]?.mountPoint
        let sharesMount = placement.host.legacy.contains { $0.key != .pids && $0.value.mountPoint == pidsMount }
        keptControllers = pidsMount != nil && !sharesMount && plan.legacyParents.contains { $0.controller == .pids } ? [.pids] : []
        guard keepsUnified || !keptControllers.isEmpty else { return nil }
    }

    deinit {
        for recycled in idle.withLock({ $0 }) {
            recycled.descriptors.values.forEach { _ = close($0) }
            for directory in recycled.legacy.values + [recycled.unifiedDirectory].compactMap({ $0 }) {
                try? Cgroup.removeDirectory(directory)
            }
        }
    }

    /// Directories of a finished cgroup for the next one, if any are kept.
    package func take() -> RecycledCgroup? {
        idle.withLock { $0.popLast() }
    }

    /// Ends `cgroup` after its sandbox: keeps its qualifying directories
    /// for the next cgroup of the plan when it may, and removes the rest.
    package func recycle(_ cgroup: Cgroup) {
        guard idle.withLock({ $0.count }) < Self.capacity,
              let recycled = cgroup.retire(keepingUnified: keepsUnified, legacy: keptControllers) else {
            _ = try? cgroup.remove()
            return
        }
        idle.withLock { $0.append(recycled) }
    }
}

extension Cgroup {
    /// The control files of a kept directory that each hand-over reads:
    /// whether it is empty, and the counters its successor starts from.
    private static func handOverFiles(unified: Bool) -> [String] {
        unified ? ["cgroup.events", "cpu.stat"] : ["pids.current", "pids.events"]
    }

    /// Marks the cgroup removed and hands over its cgroup2 directory (when
    /// `keepingUnified`) and its v1 directories of `legacy` controllers,
    /// removing the others. Nil when it may not: a cgroup that no longer
    /// matches its plan or that an operation is using is left to
    /// ``remove()``; one whose kept directories are not empty is removed here.
    func retire(keepingUnified: Bool, legacy controllers: Set<CgroupController>) -> RecycledCgroup? {
        let claimed = state.withLock { state -> (legacy: [CgroupController: String], directories: [String])? in
            guard !state.removed, state.matchesPlan, state.users == 0 else { return nil }
            state.removed = true
            return (state.legacy, state.legacyDirectories)
        }
        guard let claimed else { return nil }
        let everything = claimed.directories + [unifiedDirectory].compactMap { $0 }
        let kept = claimed.legacy.filter { controllers.contains($0.key) }
        let unified = keepingUnified ? unifiedDirectory : nil
        for directory in kept.values { Self.handOverFiles(unified: false).forEach { _ = try? keepOpen(directory + "/" + $0) } }
        if let unified { Self.handOverFiles(unified: true).forEach { _ = try? keepOpen(unified + "/" + $0) } }
        let empty = kept.values.allSatisfy { (try? integer($0 + "/pids.current")) == 0 }
            && unified.map { directory in
                let events = try? keyedValues(directory + "/cgroup.events")
                return events?["populated"] == 0 && events?["frozen"] == 0
            } ?? true
        guard empty, (try? removeDirectories(everything.filter { $0 != unified && !kept.values.contains($0) })) != nil else {
            try? removeDirectories(everything)
            return nil
        }
        let baseline = counters(reading: .usageAndLimitHits)
        let descriptors = state.withLock { state in
            defer { state.descriptors = [:] }
            return state.descriptors
        }
        return RecycledCgroup(name: name, unifiedDirectory: unified, legacy: kept, baseline: baseline, descriptors: descriptors)
    }
}
