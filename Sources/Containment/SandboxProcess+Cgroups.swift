import Cgroups

extension SandboxProcess {
    /// The sandbox's own cgroup, for live control while it runs: update
    /// limits, freeze and thaw, statistics and events. Nil when the sandbox
    /// has no `resources`; removed once the sandbox ended, after which its
    /// operations throw ``CgroupError/Code/removed`` (its directories may
    /// already serve the command's next spawn: ``PreparedCommand``).
    public var cgroup: Cgroup? {
        sessions.lazy.compactMap { ($0 as? CgroupSession)?.cgroup }.first
    }
}
