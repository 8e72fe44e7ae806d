import Containment
import Foundation
import Glibc
import TestSupport
import Testing

/// Roots whose symbolic links point out of the root never make the SDK touch
/// the host: each mount target resolves inside the root, or the spawn fails
/// with a typed error naming the step.
@Suite struct HostileRootTests {
    /// A busybox image with `etc -> /`, `tmp/x -> /root`, `up -> ../../../..`,
    /// `dev -> /dev` and `proc -> /proc`.
    private func hostileImage() async throws -> TemporaryDirectory {
        let image = try await makeBusyboxImage()
        for name in ["etc", "dev", "proc", "tmp"] { try FileManager.default.removeItem(atPath: image.path + "/" + name) }
        try image.symlink("etc", to: "/")
        try image.directory("tmp")
        try image.symlink("tmp/x", to: "/root")
        try image.symlink("up", to: "../../../../..")
        try image.symlink("dev", to: "/dev")
        try image.symlink("proc", to: "/proc")
        return image
    }

    private enum Outcome: Equatable { case ran, failed(step: String, errno: Errno) }

    private func spawn(in image: TemporaryDirectory, _ mounts: [Mount]) async throws -> Outcome {
        var sandbox = Sandbox()
        sandbox.filesystem = FilesystemConfiguration(root: .directory(FilePath(image.path)), mounts: mounts)
        do {
            let result = try await sandbox.run("/bin/true")
            #expect(result.termination.isSuccess)
            return .ran
        } catch let error as SandboxError {
            #expect(error.code == .setupFailed)
            return .failed(step: error.step ?? "", errno: error.errno ?? .noSuchFileOrDirectory)
        }
    }

    @Test func symlinksOutOfTheRootResolveInsideIt() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        let image = try await hostileImage()
        let source = try TemporaryDirectory()
        defer { image.remove(); source.remove() }
        try source.file("payload", "bound\n")
        let hostEtc = TemporaryDirectory.snapshot("/etc")
        let mountsBefore = hostMountTable()

        let outcome = try await spawn(in: image, [
            .file("/etc/rootfs-hostile-file", contents: "inside\n"),
            .bind(FilePath(source.path + "/payload"), to: "/up/etc/rootfs-hostile-bind"),
            .symlink("/nowhere", at: "/etc/rootfs-hostile-link"),
            .directory("/up/up/etc/rootfs-hostile-dir"),
        ])
        #expect(outcome == .ran)
        // Everything landed in the image's own root ("/" inside), none on the host.
        #expect(try String(contentsOfFile: image.path + "/rootfs-hostile-file", encoding: .utf8) == "inside\n")
        #expect(FileManager.default.fileExists(atPath: image.path + "/rootfs-hostile-bind"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: image.path + "/rootfs-hostile-link")) == "/nowhere")
        #expect(FileManager.default.fileExists(atPath: image.path + "/rootfs-hostile-dir"))
        for name in ["rootfs-hostile-file", "rootfs-hostile-bind", "rootfs-hostile-link", "rootfs-hostile-dir"] {
            #expect(!FileManager.default.fileExists(atPath: "/" + name))
            #expect(!FileManager.default.fileExists(atPath: "/etc/" + name))
        }
        #expect(TemporaryDirectory.snapshot("/etc") == hostEtc)
        #expect(hostMountTable() == mountsBefore)
    }

    @Test func escapesThatFindNothingInsideAreTypedErrors() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        let image = try await hostileImage()
        defer { image.remove() }
        let hostRoot = try FileManager.default.contentsOfDirectory(atPath: "/root")
        let mountsBefore = hostMountTable()

        // tmp/x -> /root: there is no /root in the image, so nothing to mount on.
        let tmpfs = try await spawn(in: image, [.tmpfs(at: "/tmp/x/inner")])
        #expect(tmpfs == .failed(step: "tmpfs on /tmp/x/inner: open /tmp/x in the root", errno: .noSuchFileOrDirectory))
        let directory = try await spawn(in: image, [.directory("/tmp/x/made")])
        #expect(directory == .failed(step: "directory /tmp/x/made: open /tmp/x in the root", errno: .noSuchFileOrDirectory))
        // dev -> /dev and proc -> /proc point at themselves inside the root.
        let devices = try await spawn(in: image, [.minimalDevices()])
        #expect(devices == .failed(step: "minimal devices on /dev: open /dev in the root", errno: .tooManySymbolicLinkLevels))
        let proc = try await spawn(in: image, [.proc()])
        #expect(proc == .failed(step: "proc on /proc: open /proc in the root", errno: .tooManySymbolicLinkLevels))

        #expect(try FileManager.default.contentsOfDirectory(atPath: "/root") == hostRoot)
        #expect(hostMountTable() == mountsBefore)
    }
}
