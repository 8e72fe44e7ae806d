import Containment
import Glibc
import Seccomp
import TestSupport
import Testing

/// Docker and OCI profiles: import, export, round trips, errors.
@Suite struct ProfileImportTests {
    static func names(_ filter: SeccompFilter) -> Set<String> { Set(filter.rules.map(\.systemCall.description)) }

    @Test func dockerIncludesAndExcludesFollowTheContext() throws {
        let plain = try SeccompFilter(dockerProfile: ProfileCorpus.dockerAllowlist,
                                      context: .init(capabilities: [], kernelVersion: (5, 10)))
        #expect(plain.defaultAction == .errno(EPERM))
        #expect(Self.names(plain) == ["read", "write", "exit_group", "no_such_call_on_any_arch", "arch_prctl", "clone",
                                      "clone3", "getppid"])
        #expect(plain.rules.first { $0.systemCall.description == "clone" }?.conditions == [.masked(0, 2_114_060_288, equals: 0)])
        #expect(plain.rules.first { $0.systemCall.description == "clone3" }?.action == .errno(ENOSYS))
        #expect(plain.rules.first { $0.systemCall.description == "getppid" }?.action == .log)

        let admin = try SeccompFilter(dockerProfile: ProfileCorpus.dockerAllowlist,
                                      context: .init(capabilities: ["CAP_SYS_ADMIN"], kernelVersion: (6, 1)))
        #expect(Self.names(admin) == ["read", "write", "exit_group", "no_such_call_on_any_arch", "mount", "umount2",
                                      "arch_prctl", "landlock_create_ruleset", "getppid"])
        let both = try SeccompFilter(dockerProfile: ProfileCorpus.dockerAllowlist,
                                     context: .init(capabilities: ["CAP_SYS_ADMIN", "CAP_SYS_BOOT"], kernelVersion: (6, 1)))
        #expect(Self.names(both).contains("reboot"))
        // Names unknown here are skipped when compiling, as Docker does.
        #expect(try plain.program().instructionCount > 0)
    }

    @Test func sameIndexConditionsAreAlternatives() throws {
        let filter = try SeccompFilter(dockerProfile: ProfileCorpus.dockerSameIndex)
        #expect(filter.rules.map(\.conditions) == [[.equal(0, 8)], [.equal(0, 131_072)]])
        let personality = try #require(SystemCall("personality").number)
        #expect(filter.action(for: personality, arguments: [8, 0, 0, 0, 0, 0]) == .errno(EPERM))
        #expect(filter.action(for: personality, arguments: [131_072, 0, 0, 0, 0, 0]) == .errno(EPERM))
        #expect(filter.action(for: personality, arguments: [0, 0, 0, 0, 0, 0]) == .allow)
    }

    @Test func ociObjectImportsAndRoundTrips() throws {
        let filter = try SeccompFilter(ociSeccomp: ProfileCorpus.oci)
        #expect(filter.defaultAction == .killProcess)
        #expect(filter.rules.count == 6)
        #expect(filter.rules.first { $0.systemCall.description == "openat" }
            == SeccompRule("openat", .errno(EACCES), when: [.masked(2, 3, equals: 1)], optional: true))
        #expect(filter.rules.first { $0.systemCall.description == "exit" }?.action == .killThread)
        #expect(filter.rules.first { $0.systemCall.description == "uname" }?.action == .notify)

        let exported = try filter.ociSeccompJSON()
        let again = try SeccompFilter(ociSeccomp: exported)
        #expect(again == filter)
        #expect(try again.ociSeccompJSON() == exported)
        #expect(try again.program() == filter.program())
    }

    @Test(arguments: [SeccompFilter.defaultProfile(), .defaultProfile(allowing: [.namespaces, .ptrace]), .strict])
    func builtInProfilesRoundTripThroughOCI(_ profile: SeccompFilter) throws {
        let imported = try SeccompFilter(ociSeccomp: profile.ociSeccompJSON())
        #expect(imported.defaultAction == profile.defaultAction)
        #expect(imported.rules.map(\.systemCall.description) == profile.rules.map(\.systemCall.description))
        #expect(imported.rules.map(\.conditions) == profile.rules.map(\.conditions))
        #expect(imported.rules.map(\.action) == profile.rules.map(\.action))
        #expect(try imported.program() == profile.program(), "the same BPF")
    }

    @Test(arguments: ProfileCorpus.invalid.indices)
    func invalidProfilesPointAtTheEntry(_ index: Int) {
        let (json, code, field) = ProfileCorpus.invalid[index]
        #expect {
            _ = try SeccompFilter(dockerProfile: json)
        } throws: { error in
            guard let error = error as? SeccompError else { return false }
            return error.code.rawValue == code && error.field == field
        }
    }

    @Test func dockerProfileIsEnforcedInASandbox() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var sandbox = Sandbox()
        sandbox.seccomp = try SeccompFilter(dockerProfile: ProfileCorpus.dockerDenylist)
        let (result, output) = try await sandbox.probe(["call", "mkdir", "call", "socket-unix", "call", "socket-inet", "call", "keyctl"])
        #expect(output["mkdir"] == "EXDEV", "\(output)")
        #expect(output["socket-unix"]?.hasPrefix("ok") == true)
        #expect(output["socket-inet"] == "EAFNOSUPPORT")
        #expect(result.verdict == .seccompViolation(syscall: "keyctl"))
    }
}
