import Containment
import Glibc
import TestSupport
import Testing

/// The preflight reports this host as it is.
@Suite struct HostReportTests {
    @Test func reportsWhatThisHostCanDo() async throws {
        let report = await Host.check()
        #expect(report["kernel"]?.supported == true)
        #expect(report["clone3 and pidfd"]?.supported == true)
        #expect(report["user namespaces"]?.supported == true, "\(report)")
        #expect(report["all container namespaces"]?.supported == true)
        #expect(report.description.contains("ok   kernel: Linux "))
    }

    @Test func reportsWhatAnUnprivilegedUserLacks() async throws {
        guard TestEnvironment.hasRoot(for: "running the preflight as nobody") else { return }
        var host = Sandbox()
        host.namespaces = []
        host.identity = Identity(uid: 65534, gid: 65534)
        let result = try await host.run(TestEnvironment.helper("containment-test-helper"), ["host-check"], output: .string())
        let report = result.standardOutput
        // nobody is in no /etc/subuid here, so wide maps are unsupported, with the remedy.
        #expect(report.contains("NO   wide id maps:"), "\(report)")
        #expect(report.contains("/etc/subuid"))
        #expect(report.contains("ok   user namespaces:"))
    }
}
