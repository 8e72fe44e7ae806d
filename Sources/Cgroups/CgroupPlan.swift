import Synchronization

/// What every cgroup made for the same limits in the same place shares,
/// worked out once, so that each cgroup made from it (``Cgroup/create(plan:)``)
/// only makes its directories and writes its limit files: the limits checked
/// against the host, the v1 parent directories and the control-file writes.
/// Making a plan changes nothing on the host, so a dry run can show it;
/// ``prepareParent()`` makes the changes the cgroups need in their parent.
package struct CgroupPlan: Sendable, CustomStringConvertible {
    let limits: ResourceLimits
    let placement: Placement
    /// The v1 controllers that get a directory, each with its parent directory.
    let legacyParents: [(controller: CgroupController, directory: String)]
    /// The writes that apply `limits` to a new cgroup.
    let writes: [CgroupFileWrite]

    /// True when processes are attached by pid (v1 controllers), so the
    /// child waits for its parent before it runs anything of its own.
    package var attachesByPid: Bool { !legacyParents.isEmpty }

    /// What creating a cgroup of this plan involves, for a dry run:
    /// "create cgroup: cgroup2 under … (clone into it) + v1 memory, pids (attach by pid)".
    package var description: String {
        var parts: [String] = []
        if let parent = placement.unifiedParent { parts.append("cgroup2 under \(parent) (clone into it)") }
        if attachesByPid { parts.append("v1 " + legacyParents.map(\.controller.legacyName).joined(separator: ", ") + " (attach by pid)") }
        return "create cgroup: " + parts.joined(separator: " + ")
    }

    private static let sweptParents = Mutex<Set<String>>([])

    /// Plans cgroups for `limits` on `host` (default: this host): checks the
    /// limits against the host and works out the directories and writes.
    package init(limits: ResourceLimits, host: CgroupHost? = nil) throws(CgroupError) {
        let placement = Placement(host: try CgroupHost.resolve(host), parent: limits.parent)
        writes = try Cgroup.check(limits, placement: placement)
        legacyParents = Cgroup.legacyControllers(for: limits, placement: placement).compactMap { controller in
            placement.legacyParent(controller).map { (controller, $0) }
        }
        self.limits = limits
        self.placement = placement
    }

    /// Readies the parent for cgroups of this plan, before any process
    /// exists: enables their cgroup2 controllers in the parent's
    /// cgroup.subtree_control (a change a cgroup's life depends on) and, the
    /// first time a parent is prepared, removes stale cgroups of dead hosts
    /// under it (see ``Cgroup/sweepStale(parent:host:)``).
    package func prepareParent() throws(CgroupError) {
        try placement.enableUnified(limits.controllers, required: true)
        try placement.enableUnified(Cgroup.measuring, required: false)
        if Self.sweptParents.withLock({ $0.insert(limits.parent ?? "").inserted }) {
            _ = try? Cgroup.sweepStale(parent: limits.parent, host: placement.host)
        }
    }
}
