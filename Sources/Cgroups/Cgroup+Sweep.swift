import ContainmentSupport
import Glibc

extension Cgroup {
    /// Removes stale cgroups: those named by the SDK
    /// ("containment-<pid>-<start time>-<n>") under `parent` (default: the
    /// calling process's own cgroup) in every hierarchy whose creating
    /// process no longer runs — left behind by a host that died. Processes
    /// still inside are killed first. Anything else is left alone. Runs
    /// automatically the first time a process creates a cgroup under a parent.
    ///
    /// - Returns: the directories removed.
    @discardableResult
    public static func sweepStale(parent: String? = nil, host: CgroupHost? = nil) throws(CgroupError) -> [String] {
        let host = try CgroupHost.resolve(host)
        let placement = Placement(host: host, parent: parent)
        var parents = Set(host.legacyControllers.compactMap { placement.legacyParent($0) })
        if let unified = placement.unifiedParent { parents.insert(unified) }
        var removed: [String] = []
        for directory in parents.sorted() {
            for entry in entries(of: directory) {
                guard let name = CgroupName(entry), name.creatorIsGone else { continue }
                let path = directory + "/" + entry
                killMembers(of: path)
                do {
                    try removeTree(path)
                    removed.append(path)
                } catch {
                    continue
                }
            }
        }
        return removed
    }

    /// The subdirectory names of `directory`.
    private static func entries(of directory: String) -> [String] {
        (directoryEntries(directory) ?? []).filter(\.isDirectory).map(\.name)
    }

    /// Kills the processes of a stale cgroup and of its subgroups.
    private static func killMembers(of path: String) {
        if access(path + "/cgroup.kill", F_OK) == 0 {
            try? writeFile(path + "/cgroup.kill", "1", field: "kill")
            return
        }
        for child in entries(of: path) { killMembers(of: path + "/" + child) }
        let members = ((try? readFile(path + "/cgroup.procs")) ?? "").split(separator: "\n").compactMap { Int32($0) }
        for pid in members { _ = Glibc.kill(pid, SIGKILL) }
    }

    /// Removes a cgroup directory after its subgroups, depth first.
    private static func removeTree(_ path: String) throws(CgroupError) {
        for child in entries(of: path) { try removeTree(path + "/" + child) }
        try removeDirectory(path)
    }
}
