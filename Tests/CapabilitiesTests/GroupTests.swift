import Containment
import Glibc
import Testing
import TestSupport

/// The payload's supplementary groups are exactly the configured ones, never
/// the host's. The host process gets groups of its own for the test.
@Suite(.serialized) struct GroupTests {
    /// Runs `body` while this process holds supplementary groups 4242 and 4343.
    static func withHostGroups(_ body: () async throws -> Void) async throws {
        var saved = [gid_t](repeating: 0, count: 64)
        let count = getgroups(Int32(saved.count), &saved)
        try #require(count >= 0)
        let groups: [gid_t] = [4242, 4343]
        try #require(setgroups(groups.count, groups) == 0)
        defer { setgroups(Int(count), saved) }
        var check = [gid_t](repeating: 0, count: 8)
        #expect(getgroups(8, &check) == 2)
        try await body()
    }

    static func groups(_ sandbox: Sandbox) async throws -> String? {
        let (result, probe) = try await sandbox.probe(["ids"])
        #expect(result.termination == .exited(0), "\(result.standardError)")
        return probe["groups"]
    }

    @Test func groupsAreEmptyByDefaultAndExactlyAsConfigured() async throws {
        guard TestEnvironment.hasRoot(for: "setgroups on the host process") else { return }
        try await Self.withHostGroups { () async throws -> Void in
            #expect(try await Self.groups(Sandbox()) == "")

            var hostView = Sandbox()
            hostView.namespaces = [.mount, .pid]
            #expect(try await Self.groups(hostView) == "")

            var configured = ChildStatusTests.rangeMapped
            configured.identity = Identity(uid: 1000, gid: 1000, groups: [7, 100])
            #expect(try await Self.groups(configured) == "7 100")

            hostView.identity = Identity(uid: 65534, gid: 65534, groups: [4343, 5])
            #expect(try await Self.groups(hostView) == "5 4343", "the kernel keeps groups sorted")
        }
    }
}
