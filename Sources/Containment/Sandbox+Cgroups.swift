import Cgroups

extension Sandbox {
    /// The cgroup part of a plan: whether the child must wait to be attached
    /// by pid (v1 controllers) and the host action for a dry run.
    func cgroupPlan() throws -> (needsSync: Bool, hostActions: [String]) {
        guard let resources else { return (false, []) }
        let summary = try Cgroup.placementSummary(resources)
        return (summary.attachesByPid, [summary.description])
    }
}
