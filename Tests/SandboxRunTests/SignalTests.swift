import Glibc
import TestSupport
import Testing

/// The signals a terminal or a supervisor sends sandbox-run reach the
/// payload, and sandbox-run still reaps the sandbox and removes its cgroup.
@Suite struct SignalTests {
    /// sandbox-run's cgroup directories (named after its pid) that exist.
    static func cgroups(of pid: Int32) throws -> String {
        try HostProcess.output(of: "/usr/bin/find", ["/sys/fs/cgroup", "-maxdepth", "6", "-type", "d", "-name", "containment-\(pid)-*"])
    }

    /// The probe's wait-signal exits 42 on SIGTERM; SIGINT and SIGHUP end it
    /// (128 + N), as they would without a sandbox.
    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func aSignalReachesThePayloadAndTheSandboxIsCleanedUp(_ signal: Int32) async throws {
        guard TestEnvironment.hasRoot(for: "a cgroup of sandbox-run's own") else { return }
        let run = try await SandboxRunInvocation.run(["--memory", "64M", TestEnvironment.probe, "wait-signal"],
                                                     signal: (signal, after: "ready"))
        #expect(run.status == (signal == SIGTERM ? 42 : 128 + signal), "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("ready"))
        #expect(try Self.cgroups(of: run.pid).isEmpty)
    }
}
