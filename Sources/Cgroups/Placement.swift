import ContainmentSupport
import Glibc

/// Where a cgroup's directories go on a host: under the configured parent
/// or the calling process's own cgroup, in the v2 hierarchy and in each v1
/// controller's hierarchy, and which hierarchy serves each controller.
struct Placement: Sendable {
    /// The hierarchy serving a controller.
    enum Location: Sendable { case unified, legacy }

    let host: CgroupHost
    let parent: String?
    /// The parent's directory in the cgroup2 hierarchy.
    let unifiedParent: String?
    /// Controllers the parent offers its children on cgroup2 (cgroup.controllers).
    private let unifiedAvailable: Set<CgroupController>

    init(host: CgroupHost, parent: String?) {
        self.host = host
        self.parent = parent
        unifiedParent = host.parentPath(parent, controller: nil).flatMap { host.unifiedDirectory($0) }
        let listed = unifiedParent.flatMap { try? Cgroup.readFile($0 + "/cgroup.controllers") } ?? ""
        unifiedAvailable = Set(listed.split(whereSeparator: \.isWhitespace).map { CgroupController(rawValue: String($0)) })
    }

    /// The hierarchy serving `controller`: its v1 mount when it has one, else
    /// cgroup2 when the parent offers it; nil when the host cannot.
    func location(_ controller: CgroupController) -> Location? {
        if host.legacy[controller] != nil { return .legacy }
        return unifiedAvailable.contains(controller) ? .unified : nil
    }

    /// The parent's directory in `controller`'s v1 hierarchy.
    func legacyParent(_ controller: CgroupController) -> String? {
        host.parentPath(parent, controller: controller).flatMap { host.legacyDirectory(controller, $0) }
    }

    func unavailableMessage(_ controller: CgroupController) -> String {
        let where2 = unifiedParent.map { " nor offered in \($0)/cgroup.controllers" } ?? ""
        return "the \(controller) controller is neither mounted as cgroup v1\(where2); enable it in the parent's own parent (cgroup.subtree_control), delegate it, or drop the limit"
    }

    /// Enables the cgroup2 `controllers` for the parent's children
    /// (cgroup.subtree_control). With `required` false, failures are ignored.
    func enableUnified(_ controllers: Set<CgroupController>, required: Bool) throws(CgroupError) {
        guard let unifiedParent else { return }
        let wanted = controllers.filter { location($0) == .unified }
        guard !wanted.isEmpty else { return }
        let path = unifiedParent + "/cgroup.subtree_control"
        let enabled = Set(((try? Cgroup.readFile(path)) ?? "").split(whereSeparator: \.isWhitespace).map { CgroupController(rawValue: String($0)) })
        for controller in wanted.subtracting(enabled).sorted() {
            do {
                try writeText(path, "+" + controller.rawValue)
            } catch where required {
                switch error.rawValue {
                case EBUSY:
                    throw CgroupError(.internalProcesses, field: "parent", "cannot enable \(controller) in \(path): the parent cgroup holds processes (cgroup v2's no-internal-processes rule); move the host process into a leaf cgroup or set ResourceLimits.parent to an empty delegated cgroup")
                case EACCES, EPERM, EROFS:
                    throw CgroupError(.notDelegated, field: "parent", "cannot enable \(controller) in \(path): \(errnoName(error.rawValue)); delegate the cgroup to this user (systemd: Delegate=yes) or set ResourceLimits.parent")
                default:
                    throw CgroupError(.unsupportedLimit, field: "parent", "cannot enable \(controller) in \(path): \(errnoName(error.rawValue))")
                }
            } catch {}
        }
    }
}
