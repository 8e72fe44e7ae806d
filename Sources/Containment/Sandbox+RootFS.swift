import ContainmentSupport

extension Sandbox {
    /// The child's mount steps of `filesystem`, after checking that the
    /// sandbox creates the namespaces its mounts need.
    func filesystemSteps() throws(FilesystemError) -> [SetupStep] {
        guard let filesystem else { return [] }
        let created = isolation.namespaces
        if !created.contains(.mount) {
            throw FilesystemError(.namespaceRequired, field: "namespaces",
                                  "a private filesystem needs a mount namespace of its own; add .mount to namespaces")
        }
        if created.contains(.user) {
            let needs: [(Bool, NamespaceSet, String)] = [
                (filesystem.needsPidNamespace, .pid, "proc"),
                (filesystem.needsNetworkNamespace, .network, "sysfs"),
                (filesystem.needsIPCNamespace, .ipc, "mqueue"),
            ]
            for (needed, kind, mount) in needs where needed && !created.contains(kind) {
                throw FilesystemError(.namespaceRequired, field: "filesystem.mounts",
                                      "mounting \(mount) inside a user namespace needs a new \(kind) namespace; add it to namespaces or drop the \(mount) mount")
            }
        }
        return try filesystem.setupSteps()
    }
}
