import Cgroups

extension Sandbox {
    /// The cgroups of the sandbox's spawns, checked against this host and
    /// worked out without changing it; nil without `resources`.
    func cgroupPlan() throws -> CgroupPlan? {
        try resources.map { limits throws(CgroupError) in try CgroupPlan(limits: limits) }
    }
}
