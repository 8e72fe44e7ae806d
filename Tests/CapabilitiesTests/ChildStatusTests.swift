import Containment
import Glibc
import Testing
import TestSupport

/// What /proc/self/status shows inside the sandbox, for several
/// configurations: every set, no_new_privs, seccomp and the groups.
@Suite struct ChildStatusTests {
    /// The sets a probe should print, as proc(5)'s 16 hex digits.
    struct Expected {
        var bounding: CapabilitySet
        var permitted: CapabilitySet
        var effective: CapabilitySet
        var inheritable: CapabilitySet = []
        var ambient: CapabilitySet = []
        var noNewPrivileges = true
    }

    /// uid 0 inside mapped to 100000, 65536 ids: room for a non-root payload.
    static var rangeMapped: Sandbox {
        var sandbox = Sandbox()
        let range = [IDMapRange(inside: 0, outside: 100_000, count: 65536)]
        sandbox.user = UserNamespaceMapping(uids: range, gids: range)
        return sandbox
    }

    static func check(_ sandbox: Sandbox, _ expected: Expected, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (result, probe) = try await sandbox.probe(["status", "ids"])
        #expect(result.termination == .exited(0), "\(result.standardError)", sourceLocation: sourceLocation)
        let lines = [("CapBnd", expected.bounding), ("CapPrm", expected.permitted), ("CapEff", expected.effective),
                     ("CapInh", expected.inheritable), ("CapAmb", expected.ambient)]
        for (key, set) in lines {
            #expect(probe[key] == set.hexadecimal, "\(key): \(probe)", sourceLocation: sourceLocation)
        }
        #expect(probe["NoNewPrivs"] == (expected.noNewPrivileges ? "1" : "0"), sourceLocation: sourceLocation)
        #expect(probe["Seccomp"] == "0", sourceLocation: sourceLocation)
        #expect(probe["Groups"] == "", sourceLocation: sourceLocation)
    }

    @Test func rootInAUserNamespaceGetsTheContainerDefault() async throws {
        guard TestEnvironment.hasRoot(for: "capabilities in a user namespace mapped to root") else { return }
        let set = CapabilitySet.containerDefault
        try await Self.check(Sandbox(), Expected(bounding: set, permitted: set, effective: set))
    }

    @Test func nonRootPayloadHasNoCapabilitiesByDefault() async throws {
        guard TestEnvironment.hasRoot(for: "a range-mapped user namespace") else { return }
        var sandbox = Self.rangeMapped
        sandbox.identity = Identity(uid: 1000, gid: 1000)
        try await Self.check(sandbox, Expected(bounding: [], permitted: [], effective: []))
    }

    @Test func nonRootPayloadHoldsAmbientCapabilitiesIncludingBPF() async throws {
        guard TestEnvironment.hasRoot(for: "a range-mapped user namespace") else { return }
        var sandbox = Self.rangeMapped
        sandbox.identity = Identity(uid: 1000, gid: 1000)
        let set: CapabilitySet = [.netBindService, .bpf]
        sandbox.capabilities = .ambient(set)
        #expect(set.hexadecimal == "0000008000000400")
        try await Self.check(sandbox, Expected(bounding: set, permitted: set, effective: set, inheritable: set, ambient: set))
    }

    @Test func rootWithChosenSetsAndInheritable() async throws {
        guard TestEnvironment.hasRoot(for: "capabilities in a user namespace mapped to root") else { return }
        var sandbox = Sandbox()
        let permitted: CapabilitySet = [.chown, .bpf, .perfmon, .checkpointRestore]
        sandbox.capabilities = CapabilityConfiguration(bounding: permitted.union([.kill, .sysAdmin]), permitted: permitted,
                                                       effective: permitted, inheritable: [.bpf])
        try await Self.check(sandbox, Expected(bounding: permitted.union([.kill, .sysAdmin]), permitted: permitted,
                                               effective: permitted, inheritable: [.bpf]))
    }

    @Test func withoutNoNewPrivilegesRootGetsItsBoundingSet() async throws {
        guard TestEnvironment.hasRoot(for: "capabilities in a user namespace mapped to root") else { return }
        var sandbox = Sandbox()
        sandbox.noNewPrivileges = false
        sandbox.capabilities = .root([.setUID, .setGID, .netAdmin])
        let set: CapabilitySet = [.setUID, .setGID, .netAdmin]
        try await Self.check(sandbox, Expected(bounding: set, permitted: set, effective: set, noNewPrivileges: false))
    }

    @Test func bindingPort80NeedsNetBindServiceInAmbient() async throws {
        guard TestEnvironment.hasRoot(for: "a range-mapped user namespace") else { return }
        var sandbox = Self.rangeMapped
        sandbox.identity = Identity(uid: 1000, gid: 1000)
        let (_, denied) = try await sandbox.probe(["bind", "80"])
        #expect(denied["bind"] == "80 EACCES")
        sandbox.capabilities = .ambient([.netBindService])
        let (_, allowed) = try await sandbox.probe(["bind", "80"])
        #expect(allowed["bind"] == "80 ok")
    }
}
