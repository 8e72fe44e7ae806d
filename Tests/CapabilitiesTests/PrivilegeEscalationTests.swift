import Containment
import Foundation
import Testing
import TestSupport

/// A capability dropped from the bounding set stays dropped: a set-user-ID
/// root binary and a binary with file capabilities (setcap) get nothing
/// outside it, and nothing at all under no_new_privs.
@Suite struct PrivilegeEscalationTests {
    /// A folder others can enter, holding copies of the probe.
    final class Scratch {
        let folder: String
        init() throws {
            var template = Array("/tmp/containment-caps-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
            folder = String(cString: made)
            chmod(folder, 0o755)
        }
        deinit { try? FileManager.default.removeItem(atPath: folder) }

        /// A copy of the probe named `name`, owned by root. cp writes it: a
        /// descriptor open for writing in this process would leak into
        /// sandboxes other tests spawn meanwhile, and exec would fail with
        /// ETXTBSY.
        func probe(_ name: String) throws -> String {
            let path = folder + "/" + name
            try PrivilegeEscalationTests.command("/bin/cp", [TestEnvironment.probe, path])
            return path
        }
    }

    /// The payload: uid and gid 65534 on the host, no user namespace, so
    /// set-user-ID root and file capabilities of the initial namespace apply.
    static func unprivileged(_ capabilities: CapabilityConfiguration, noNewPrivileges: Bool) -> Sandbox {
        var sandbox = Sandbox()
        sandbox.namespaces = [.mount, .uts, .ipc]
        sandbox.identity = Identity(uid: 65534, gid: 65534)
        sandbox.capabilities = capabilities
        sandbox.noNewPrivileges = noNewPrivileges
        return sandbox
    }

    static func status(_ path: String, _ sandbox: Sandbox) async throws -> ProbeOutput {
        let result = try await sandbox.run(path, ["status", "ids"], output: .string(), error: .string())
        #expect(result.termination == .exited(0), "\(result.standardError)")
        return ProbeOutput(result.standardOutput)
    }

    @Test func setuidRootGainsOnlyTheBoundingSet() async throws {
        guard TestEnvironment.hasRoot(for: "a set-user-ID root binary") else { return }
        let scratch = try Scratch()
        let path = try scratch.probe("setuid-probe")
        chown(path, 0, 0)
        chmod(path, 0o4755)

        let none = try await Self.status(path, Self.unprivileged(.none, noNewPrivileges: false))
        #expect(none["euid"] == "0")
        #expect(none["CapPrm"] == "0000000000000000")
        #expect(none["CapEff"] == "0000000000000000")

        let bindOnly = try await Self.status(path, Self.unprivileged(.ambient([.netBindService]), noNewPrivileges: false))
        #expect(bindOnly["euid"] == "0")
        #expect(bindOnly["CapPrm"] == "0000000000000400")
        #expect(bindOnly["CapEff"] == "0000000000000400")
        #expect(bindOnly["CapAmb"] == "0000000000000000")

        let withNoNewPrivileges = try await Self.status(path, Self.unprivileged(.none, noNewPrivileges: true))
        #expect(withNoNewPrivileges["euid"] == "65534")
        #expect(withNoNewPrivileges["CapPrm"] == "0000000000000000")
    }

    /// Runs a host command and requires it to succeed.
    static func command(_ path: String, _ arguments: [String]) throws {
        let process = try Process.run(URL(fileURLWithPath: path), arguments: arguments)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(path) \(arguments) failed")
    }

    /// setcap(8), from the Debian package libcap2-bin.
    static func setcap(_ text: String, _ path: String) throws {
        try command("/usr/sbin/setcap", [text, path])
    }

    @Test func fileCapabilitiesStayInsideTheBoundingSet() async throws {
        guard TestEnvironment.hasRoot(for: "setcap") else { return }
        let scratch = try Scratch()
        let effective = try scratch.probe("filecap-ep-probe")
        try Self.setcap("cap_net_raw,cap_net_bind_service+ep", effective)
        let permittedOnly = try scratch.probe("filecap-p-probe")
        try Self.setcap("cap_net_raw,cap_net_bind_service+p", permittedOnly)

        let file = try #require(try FileCapabilities(path: FilePath(effective)))
        #expect(file.permitted == [.netRaw, .netBindService])
        #expect(file.effective)
        #expect(file.text == "cap_net_bind_service,cap_net_raw=ep")
        #expect(try FileCapabilities(path: FilePath(TestEnvironment.probe)) == nil)

        // Control: with both in the bounding set, the file grants both.
        let both = CapabilityConfiguration(bounding: [.netRaw, .netBindService], permitted: [], effective: [])
        let control = try await Self.status(effective, Self.unprivileged(both, noNewPrivileges: false))
        #expect(control["CapPrm"] == "0000000000002400")
        #expect(control["CapEff"] == "0000000000002400")

        // CAP_NET_RAW dropped: a file without the effective bit gets the rest...
        let bindOnly = Self.unprivileged(.ambient([.netBindService]), noNewPrivileges: false)
        let partial = try await Self.status(permittedOnly, bindOnly)
        #expect(partial["CapPrm"] == "0000000000000400")
        #expect(partial["CapEff"] == "0000000000000000")
        // ...and one with it is refused outright (capabilities(7): the
        // safety check for capability-dumb binaries).
        await #expect {
            _ = try await bindOnly.run(effective, ["status"])
        } throws: { error in
            (error as? SandboxError)?.errno == .notPermitted && (error as? SandboxError)?.step?.hasPrefix("exec") == true
        }

        // no_new_privs: file capabilities grant nothing.
        let none = try await Self.status(effective, Self.unprivileged(both, noNewPrivileges: true))
        #expect(none["CapPrm"] == "0000000000000000")
    }
}
