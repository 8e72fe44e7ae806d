import Synchronization

/// What every cgroup made for the same limits in the same place shares,
/// worked out once, so that each cgroup made from it (``Cgroup/create(plan:)``)
/// only makes its directories and writes its limit files: the limits checked
/// against the host, the cgroup2 controllers they need enabled in the
/// parent's cgroup.subtree_control, the v1 parent directories and the
/// control-file writes.
package struct CgroupPlan: Sendable {
    let limits: ResourceLimits
    let placement: Placement
    /// The v1 controllers that get a directory, each with its parent directory.
    let legacyParents: [(controller: CgroupController, directory: String)]
    /// The writes that apply `limits` to a new cgroup.
    let writes: [CgroupFileWrite]

    /// True when processes are attached by pid (v1 controllers), so the
    /// child waits for its parent before it runs anything of its own.
    package var attachesByPid: Bool { !legacyParents.isEmpty }

    private static let sweptParents = Mutex<Set<String>>([])

    /// Plans cgroups for `limits` on `host` (default: this host). Checks the
    /// limits, enables their cgroup2 controllers in the parent (a change a
    /// cgroup's life depends on, so it is made here, before any process
    /// exists), and, the first time a parent is planned for, removes stale
    /// cgroups of dead hosts under it (see ``Cgroup/sweepStale(parent:host:)``).
    package init(limits: ResourceLimits, host: CgroupHost? = nil) throws(CgroupError) {
        let host = try CgroupHost.resolve(host)
        let placement = Placement(host: host, parent: limits.parent)
        writes = try Cgroup.check(limits, placement: placement)
        try placement.enableUnified(limits.controllers, required: true)
        try placement.enableUnified(Cgroup.measuring, required: false)
        legacyParents = Cgroup.legacyControllers(for: limits, placement: placement).compactMap { controller in
            placement.legacyParent(controller).map { (controller, $0) }
        }
        self.limits = limits
        self.placement = placement
        if Self.sweptParents.withLock({ $0.insert(limits.parent ?? "").inserted }) {
            _ = try? Cgroup.sweepStale(parent: limits.parent, host: host)
        }
    }
}
