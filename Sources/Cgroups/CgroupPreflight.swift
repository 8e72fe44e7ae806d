import Glibc

/// What a sandbox cgroup under a parent would get on this host, found
/// without creating anything: the controllers that could serve its limits
/// and whether this process may create cgroups there. For the host
/// preflight (`Host.check()`).
package struct CgroupPreflight: Sendable {
    /// A controller and the hierarchy that would serve it.
    package struct Controller: Sendable, Hashable {
        /// The controller.
        package var controller: CgroupController
        /// "v1" (its own v1 mount) or "v2" (offered in the parent's cgroup.controllers).
        package var hierarchy: String
    }

    /// A directory a sandbox cgroup is created in.
    package struct Parent: Sendable, Hashable {
        /// Its path on the host.
        package var directory: String
        /// Whether this process may create a cgroup there (access(2) W_OK):
        /// true for root, and for a user the directory was delegated to.
        package var writable: Bool
    }

    /// The host's layout.
    package let host: CgroupHost
    /// Controllers the SDK's limits use that this host can serve, by name.
    package let available: [Controller]
    /// Controllers the SDK's limits use that this host cannot serve.
    package let missing: [CgroupController]
    /// Where a sandbox cgroup's directories would go.
    package let parents: [Parent]

    /// The controllers ``ResourceLimits`` can use.
    package static let limitControllers: [CgroupController] = [.cpu, .cpuset, .io, .memory, .pids]

    /// Examines the host for cgroups under `parent` (default: the calling
    /// process's own cgroup). Reads files only.
    package init(parent: String? = nil, host: CgroupHost? = nil) throws(CgroupError) {
        let host = try CgroupHost.resolve(host)
        let placement = Placement(host: host, parent: parent)
        self.host = host
        var available: [Controller] = []
        var missing: [CgroupController] = []
        var directories: [String] = []
        for controller in Self.limitControllers {
            switch placement.location(controller) {
            case .legacy?:
                available.append(Controller(controller: controller, hierarchy: "v1"))
                if let directory = placement.legacyParent(controller) { directories.append(directory) }
            case .unified?:
                available.append(Controller(controller: controller, hierarchy: "v2"))
            case nil:
                missing.append(controller)
            }
        }
        if let unified = placement.unifiedParent { directories.insert(unified, at: 0) }
        var seen: Set<String> = []
        parents = directories.filter { seen.insert($0).inserted }.map { Parent(directory: $0, writable: access($0, W_OK) == 0) }
        self.available = available
        self.missing = missing
    }
}
