import Containment
import Testing

/// Bad configurations are typed errors naming the field, before any process exists.
@Suite struct FilesystemValidationTests {
    private func error(_ mounts: [Mount], root: RootFilesystem = .tmpfs()) -> FilesystemError? {
        do {
            try FilesystemConfiguration(root: root, mounts: mounts).validate()
            return nil
        } catch {
            return error
        }
    }

    @Test func missingBindSourceNamesTheSource() {
        let failure = error([.tmpfs(at: "/tmp"), .bind("/nonexistent/rootfs-test-source", to: "/data")])
        #expect(failure?.code == .missingSource)
        #expect(failure?.field == "filesystem.mounts[1].source")
        #expect(failure?.message.contains("/nonexistent/rootfs-test-source") == true)
    }

    @Test func relativePathsAreRejected() {
        #expect(error([.bind("usr", to: "/usr")])?.code == .relativePath)
        #expect(error([.bind("usr", to: "/usr")])?.field == "filesystem.mounts[0].source")
        #expect(error([.tmpfs(at: "tmp")])?.code == .relativePath)
        #expect(error([.tmpfs(at: "tmp")])?.field == "filesystem.mounts[0].target")
        #expect(error([], root: .directory("images/busybox"))?.field == "filesystem.root")
    }

    @Test func targetsOutsideTheRootAreRejected() {
        let failure = error([.proc(), .tmpfs(at: "/tmp/../../etc")])
        #expect(failure?.code == .targetOutsideRoot)
        #expect(failure?.field == "filesystem.mounts[1].target")
        #expect(error([.tmpfs(at: "/")])?.code == .targetOutsideRoot)
        // ".." that stays inside is fine.
        #expect(error([.tmpfs(at: "/tmp/../var/tmp")]) == nil)
    }

    @Test func emptyTmpfsIsRejected() {
        let failure = error([.tmpfs(at: "/tmp", size: 0, mode: .ownerReadWriteExecute)])
        #expect(failure?.code == .invalidSize)
        #expect(failure?.field == "filesystem.mounts[0].size")
        #expect(error([], root: .tmpfs(TmpfsOptions(size: -1)))?.field == "filesystem.root.size")
    }

    @Test func overlayLayersMustBeDirectories() {
        #expect(error([.overlay(lower: [], at: "/merged")])?.field == "filesystem.mounts[0].lower")
        #expect(error([], root: .overlay(lower: ["/etc/hostname"]))?.code == .wrongSourceType)
        #expect(error([], root: .overlay(lower: ["/nonexistent-layer"]))?.field == "filesystem.root.lower[0]")
    }

    @Test func maskedPathsLieInProcOrSys() {
        var configuration = FilesystemConfiguration()
        configuration.maskedPaths = ["/etc/shadow"]
        #expect(throws: FilesystemError.self) { try configuration.validate() }
    }

    @Test func planRejectsBeforeAnyProcessAndNeedsAMountNamespace() throws {
        var sandbox = Sandbox()
        sandbox.filesystem = FilesystemConfiguration(mounts: [.bind("/nonexistent/rootfs-test", to: "/x")])
        #expect(throws: FilesystemError.self) { try sandbox.plan("/bin/true") }
        sandbox.filesystem = .hostReadOnly
        sandbox.namespaces = [.user, .pid]
        let noMount = #expect(throws: FilesystemError.self) { try sandbox.plan("/bin/true") }
        #expect(noMount?.code == .namespaceRequired)
        sandbox.namespaces = [.user, .mount]
        let noPid = #expect(throws: FilesystemError.self) { try sandbox.plan("/bin/true") }
        #expect(noPid?.field == "filesystem.mounts")
    }

    @Test func planShowsTheSafeMountSteps() throws {
        var sandbox = Sandbox()
        sandbox.filesystem = FilesystemConfiguration(mounts: [.bind("/usr", to: "/usr"), .proc()])
        let steps = try sandbox.plan("/usr/bin/true").childSteps
        #expect(steps.contains("make / rprivate"))
        #expect(steps.contains("bind /usr -> /usr: open /usr in the root"))
        #expect(steps.contains("bind /usr -> /usr: move_mount"))
        #expect(steps.contains("pivot_root"))
        #expect(steps.contains("detach the host's root"))
        let rprivate = try #require(steps.firstIndex(of: "make / rprivate"))
        let pivot = try #require(steps.firstIndex(of: "pivot_root"))
        #expect(rprivate < pivot)
    }
}
