import Containment
import CContainment
import ContainmentSupport
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

/// Invariants of the rendered mount steps, checked on the plan without running it.
@Suite struct MountStepInvariantTests {
    private let inRoot: UInt64 = 0x10, noMagicLinks: UInt64 = 0x02

    @Test func pathsInsideTheRootAreResolvedOnlyBelowItsDescriptor() throws {
        var sandbox = Sandbox()
        sandbox.filesystem = FilesystemConfiguration(mounts: [
            .bind("/usr", to: "/usr"), .proc(), .minimalDevices(), .tmpfs(at: "/a/b/c"), .symlink("x", at: "/a/b/link"),
            .file("/etc/deep/hosts", contents: "x"), .directory("/var/lib/x"), .overlay(lower: ["/usr"], at: "/merged/root"),
        ])
        let steps = try sandbox.plan("/usr/bin/true").steps.filter { $0.phase == .mounts }
        var checked = 0
        for step in steps {
            guard case .syscall(let number, let arguments) = step.operation else { continue }
            switch Int32(number) {
            case SYS_mkdirat, SYS_symlinkat:
                // One component below a descriptor opened in the root: no path walk.
                let names = arguments.compactMap { argument -> String? in
                    if case .string(let text) = argument { return text } else { return nil }
                }
                let name = try #require(names.last, "\(step)")
                #expect(!name.contains("/"), "\(step) walks \(name)")
                if case .slot(let slot) = arguments[number == SYS_mkdirat ? 0 : 1] {
                    #expect(slot.name.hasPrefix("rootfs."), "\(step)")
                } else {
                    Issue.record("\(step) is not relative to a descriptor")
                }
                checked += 1
            case SYS_openat2:
                guard case .bytes(let how) = arguments[2] else { Issue.record("\(step)"); continue }
                let resolve = how[16..<24].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                #expect(resolve & inRoot != 0 && resolve & noMagicLinks != 0, "\(step)")
                checked += 1
            case SYS_open, SYS_openat, SYS_mount:
                // Only host paths (never a target) or the root's own propagation.
                #expect(!step.description.contains(" in the root"), "\(step)")
            default:
                break
            }
        }
        #expect(checked > 20)
    }
}
