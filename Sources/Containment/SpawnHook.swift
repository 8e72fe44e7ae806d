import ContainmentSupport

/// A layer's host-side part in each spawn: the work the parent does around
/// clone for that layer (id maps, cgroups, seccomp listeners). A plan holds
/// one hook per layer that needs one; each spawn asks it for a fresh session.
protocol SpawnHook: Sendable {
    /// Starts the host-side work of one spawn.
    func begin() throws -> any SpawnSession
}

/// One spawn's host-side work of one layer, called in this order.
protocol SpawnSession: AnyObject, Sendable {
    /// Before clone: sets per-spawn slot values or the cgroup to clone into.
    func prepare(_ values: inout SpawnValues) throws
    /// On the calling thread while a spawn thread clones: work the child
    /// needs done before it is released, but not before it exists (the
    /// plan waits for the parent whenever a hook does this).
    func whileCloning() throws
    /// After clone, before the child is released (the plan waits for the
    /// parent whenever a hook needs this).
    func childCreated(pid: Int32) throws
    /// Ends every process of the sandbox; true when this layer did it.
    func killAll() -> Bool
    /// After the child was reaped: refines the verdict and the usage.
    func finish(_ termination: Termination, verdict: inout Verdict, usage: inout ResourceUsage)
    /// Releases the spawn's host resources; called once, also after a
    /// failed setup.
    func cleanUp()
}

extension SpawnSession {
    func prepare(_ values: inout SpawnValues) throws {}
    func whileCloning() throws {}
    func childCreated(pid: Int32) throws {}
    func killAll() -> Bool { false }
    func finish(_ termination: Termination, verdict: inout Verdict, usage: inout ResourceUsage) {}
    func cleanUp() {}
}

/// Per-spawn values handed to the spawn core.
struct SpawnValues {
    /// Values of named slots.
    var slots: [StepSlot: Int] = [:]
    /// A cgroup v2 directory to clone into (CLONE_INTO_CGROUP).
    var cgroupDescriptor: Int32?
    /// Descriptors the parent closes once the child exists.
    var closeAfterClone: [Int32] = []
}

/// Writes the user namespace's id maps between clone and release.
struct IDMapHook: SpawnHook {
    let mapping: UserNamespaceMapping
    func begin() throws -> any SpawnSession { IDMapSession(mapping: mapping) }
}

private final class IDMapSession: SpawnSession {
    let mapping: UserNamespaceMapping
    init(mapping: UserNamespaceMapping) { self.mapping = mapping }
    func childCreated(pid: Int32) throws { try mapping.write(toProcess: pid) }
}
