import Containment
import Glibc
import TestSupport
import Testing

/// A failing setup step is a typed error naming the step, its subject and the errno.
@Suite struct SetupFailureTests {
    @Test func missingExecutableNamesExecAndENOENT() async throws {
        let error = try await #require(throws: SandboxError.self) { try await Sandbox().run("/usr/bin/nosuch") }
        #expect(error.code == .setupFailed)
        #expect(error.step == "exec /usr/bin/nosuch")
        #expect(error.errno == .noSuchFileOrDirectory)
        #expect(error.message.hasPrefix("exec /usr/bin/nosuch: ENOENT"))
    }

    @Test func missingExecutableWithoutInitToo() async throws {
        var sandbox = Sandbox()
        sandbox.initProcess = .payload
        let error = try await #require(throws: SandboxError.self) { try await sandbox.run("nosuch-command") }
        #expect(error.step == "exec nosuch-command")
        #expect(error.errno == .noSuchFileOrDirectory)
    }

    @Test func nonExecutableFileIsEACCES() async throws {
        let path = "/tmp/containment-not-executable-\(getpid())"
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        close(fd)
        defer { unlink(path) }
        let error = try await #require(throws: SandboxError.self) { try await Sandbox().run(path) }
        #expect(error.step == "exec \(path)")
        #expect(error.errno == .permissionDenied)
    }

    @Test func missingWorkingDirectoryNamesChdir() async throws {
        var sandbox = Sandbox()
        sandbox.workingDirectory = "/nonexistent/dir"
        let error = try await #require(throws: SandboxError.self) { try await sandbox.run("/bin/true") }
        #expect(error.step == "chdir /nonexistent/dir")
        #expect(error.errno == .noSuchFileOrDirectory)
    }

    @Test func unprivilegedForeignMappingIsRefusedWithRemedy() async throws {
        guard TestEnvironment.hasRoot(for: "switching to the nobody user") else { return }
        let (_, output) = try await TestEnvironment.runHelperAsNobody(["probe", "--map-host-root", TestEnvironment.probe, "ids"])
        let line = try #require(output["namespace-error"])
        #expect(line.hasPrefix("id-map-refused user.uids: newuidmap exited with status 1"))
        #expect(line.contains("/etc/subuid"))
    }

    @Test func failedSetupsLeaveNothingBehind() async throws {
        try await expectNoGrowth(leakCheck: ["50", "--failing"])
    }
}
