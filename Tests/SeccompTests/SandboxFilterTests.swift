import Containment
import Glibc
import Seccomp
import TestSupport
import Testing

/// Filters loaded into real sandboxes: what the payload sees.
@Suite struct SandboxFilterTests {
    /// Both loading paths: the minimal init's payload (pid namespace, the
    /// default) and the spawn core's step (no init).
    static let loaders: [InitProcess] = [.minimal, .payload]

    static func sandbox(_ filter: SeccompFilter, _ initProcess: InitProcess) -> Sandbox {
        var sandbox = Sandbox()
        sandbox.initProcess = initProcess
        sandbox.seccomp = filter
        return sandbox
    }

    @Test(arguments: loaders)
    func deniedCallReturnsConfiguredErrno(_ initProcess: InitProcess) async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("mkdir", .errno(EXDEV))
        let (result, output) = try await Self.sandbox(filter, initProcess).probe(["call", "mkdir", "call", "getppid"])
        #expect(output["mkdir"] == "EXDEV", "\(output)")
        #expect(output["getppid"]?.hasPrefix("ok") == true)
        #expect(result.termination == .exited(0))
        #expect(result.verdict == .normal)
    }

    @Test(arguments: loaders)
    func argumentConditionsAllowOnlyUnixSockets(_ initProcess: InitProcess) async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("socket", .errno(EAFNOSUPPORT), when: [.notEqual(0, UInt64(AF_UNIX))])
        let (_, output) = try await Self.sandbox(filter, initProcess)
            .probe(["call", "socket-unix", "call", "socket-inet", "call", "socket-inet6"])
        #expect(output["socket-unix"]?.hasPrefix("ok") == true, "\(output)")
        #expect(output["socket-inet"] == "EAFNOSUPPORT")
        #expect(output["socket-inet6"] == "EAFNOSUPPORT")
    }
}
