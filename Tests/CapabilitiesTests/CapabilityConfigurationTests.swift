import Capabilities
import Containment
import Glibc
import Testing

/// Names, sets and validation: no process, no privilege.
@Suite struct CapabilityConfigurationTests {
    @Test func namesParseInEveryForm() throws {
        #expect(try Capability(name: "CAP_BPF") == .bpf)
        #expect(try Capability(name: "net_bind_service") == .netBindService)
        #expect(try Capability(name: "cap_checkpoint_restore") == .checkpointRestore)
        #expect(try Capability(name: "39") == .bpf)
        #expect(Capability.bpf.description == "CAP_BPF")
        #expect(Capability(rawValue: 63)?.description == "63")
        #expect(Capability(rawValue: 64) == nil)
    }

    @Test func unknownNameIsATypedError() {
        #expect {
            _ = try CapabilitySet(names: "CAP_CHOWN, CAP_FLY", field: "capabilities.bounding")
        } throws: { error in
            let error = error as? CapabilityError
            return error?.code == .unknownCapability && error?.field == "capabilities.bounding"
                && error?.message.contains("CAP_FLY") == true
        }
    }

    @Test func setsHoldAll64Bits() throws {
        let set = try CapabilitySet(names: "CAP_BPF,CAP_PERFMON,CAP_CHOWN")
        #expect(set.rawValue == 1 << 39 | 1 << 38 | 1)
        #expect(set.hexadecimal == "000000c000000001")
        #expect(Array(set) == [.chown, .perfmon, .bpf])
        #expect(CapabilitySet.containerDefault.hexadecimal == "00000000a80425fb")
        #expect(CapabilitySet.containerDefault.count == 14)
        #expect(CapabilitySet.all(through: .checkpointRestore).hexadecimal == "000001ffffffffff")
        #expect(CapabilitySet.all(through: Capability(rawValue: 63)!).rawValue == .max)
    }

    @Test func ambientOutsidePermittedIsRejected() {
        let configuration = CapabilityConfiguration(bounding: [.netBindService, .netRaw], permitted: [.netRaw],
                                                    effective: [.netRaw], inheritable: [.netBindService],
                                                    ambient: [.netBindService])
        #expect {
            try configuration.validate(payloadIsRoot: false, noNewPrivileges: true)
        } throws: { error in
            let error = error as? CapabilityError
            return error?.code == .inconsistentSets && error?.field == "capabilities.ambient"
                && error?.message.contains("CAP_NET_BIND_SERVICE is not in the permitted set") == true
        }
    }

    @Test func setsExecWouldChangeAreRejected() {
        // uid 0 after exec: effective is the permitted set.
        let root = CapabilityConfiguration(bounding: [.chown, .kill], permitted: [.chown, .kill], effective: [.chown])
        #expect(throws: CapabilityError.self) { try root.validate(payloadIsRoot: true, noNewPrivileges: true) }
        // Without no_new_privs, uid 0 gains the whole bounding set.
        let narrow = CapabilityConfiguration(bounding: [.chown, .kill], permitted: [.chown], effective: [.chown])
        #expect(throws: Never.self) { try narrow.validate(payloadIsRoot: true, noNewPrivileges: true) }
        #expect(throws: CapabilityError.self) { try narrow.validate(payloadIsRoot: true, noNewPrivileges: false) }
        // Another uid keeps only its ambient set.
        #expect(throws: CapabilityError.self) { try narrow.validate(payloadIsRoot: false, noNewPrivileges: true) }
        #expect(throws: Never.self) { try CapabilityConfiguration.ambient([.bpf]).validate(payloadIsRoot: false, noNewPrivileges: true) }
        // SECBIT_NO_CAP_AMBIENT_RAISE forbids what ambient asks.
        var locked = CapabilityConfiguration.ambient([.netBindService])
        locked.securebits = [.noCapAmbientRaise]
        #expect(throws: CapabilityError.self) { try locked.validate(payloadIsRoot: false, noNewPrivileges: true) }
    }

    @Test func softAboveHardIsATypedError() {
        var sandbox = Sandbox()
        sandbox.resourceLimits = [ResourceLimit(.openFiles, 64), ResourceLimit(.fileSize, soft: 2048, hard: 1024)]
        #expect {
            _ = try sandbox.plan("/bin/true")
        } throws: { error in
            let error = error as? CapabilityError
            return error?.code == .invalidResourceLimit && error?.field == "resourceLimits[1]"
        }
        sandbox.resourceLimits = [ResourceLimit(.openFiles, 64), ResourceLimit(.openFiles, 32)]
        #expect(throws: CapabilityError.self) { _ = try sandbox.plan("/bin/true") }
        sandbox.resourceLimits = [ResourceLimit(.cpuTime, soft: 1, hard: nil)]
        #expect(throws: Never.self) { _ = try sandbox.plan("/bin/true") }
    }

    @Test func planRejectsAmbientForANonRootPayloadWithoutPermitted() {
        var sandbox = Sandbox()
        sandbox.identity = Identity(uid: 1000, gid: 1000)
        sandbox.capabilities = CapabilityConfiguration(bounding: [.netBindService], permitted: [], effective: [],
                                                       inheritable: [.netBindService], ambient: [.netBindService])
        #expect(throws: CapabilityError.self) { _ = try sandbox.plan("/bin/true") }
    }

    /// DESIGN.md's order: rlimits → bounding set, securebits → groups, gid,
    /// uid → capabilities, ambient → no_new_privs → Landlock.
    @Test func privilegeStepsRunInTheCanonicalOrder() throws {
        var sandbox = Sandbox()
        sandbox.identity = Identity(uid: 1000, gid: 1000, groups: [])
        sandbox.capabilities = .ambient([.netBindService])
        sandbox.resourceLimits = [ResourceLimit(.openFiles, 64), ResourceLimit(.cpuTime, soft: 5, hard: 6)]
        var rules = LandlockRuleset(compatibility: .bestEffort)
        rules.allow(.execute, ["/usr"])
        sandbox.landlock = rules
        let steps = try sandbox.plan("/bin/true").childSteps
        func index(_ prefix: String) -> Int { steps.firstIndex { $0.hasPrefix(prefix) } ?? -1 }
        let order = ["set RLIMIT_CPU 5/6", "drop CAP_CHOWN from the bounding set", "set securebits SECBIT_KEEP_CAPS",
                     "setgroups none", "setresgid 1000", "setresuid 1000", "set capabilities: permitted CAP_NET_BIND_SERVICE",
                     "clear the ambient set", "raise CAP_NET_BIND_SERVICE in the ambient set", "set no_new_privs"]
        let indices = order.map(index)
        #expect(!indices.contains(-1), "\(steps)")
        #expect(indices == indices.sorted(), "\(steps)")
        if LandlockABI.current != .unsupported {
            #expect(index("enforce the Landlock ruleset") > index("set no_new_privs"))
        }
        #expect(!steps.contains("drop CAP_NET_BIND_SERVICE from the bounding set"))
        // A low RLIMIT_NOFILE must not break the placing of descriptors.
        #expect(index("set RLIMIT_NOFILE 64/64") > index("close descriptors from"))
    }

    @Test func landlockNegotiatesWithOlderABIs() throws {
        var rules = LandlockRuleset(tcpConnectPorts: [443])
        rules.allow(.read, ["/usr"])
        let abi2 = LandlockABI(rawValue: 2)
        #expect {
            _ = try rules.negotiate(with: abi2)
        } throws: { error in
            let error = error as? CapabilityError
            return error?.code == .landlockUnsupported && error?.message.contains("TCP") == true
        }
        rules.compatibility = .bestEffort
        let report = try rules.negotiate(with: abi2)
        #expect(!report.isComplete)
        #expect(report.notEnforced.contains { $0.contains("TCP bind and connect rules (need ABI 4)") })
        #expect(report.notEnforced.contains { $0.contains("TRUNCATE|IOCTL_DEV") })
        let none = try rules.negotiate(with: .unsupported)
        #expect(none.notEnforced.first?.contains("Landlock itself") == true)
        #expect(try rules.negotiate(with: LandlockABI(rawValue: 7)).isComplete)
    }

    @Test func invalidLandlockRulesAreTypedErrors() {
        var rules = LandlockRuleset()
        rules.allow(.read, ["relative/path"])
        #expect(throws: CapabilityError.self) { try rules.validate() }
        rules = LandlockRuleset()
        rules.allow(.read, ["/does/not/exist/anywhere"])
        #expect { try rules.validate() } throws: { ($0 as? CapabilityError)?.code == .invalidLandlockRule }
    }

    @Test func identityAndLandlockPreconditionsAreTypedErrors() {
        var sandbox = Sandbox()
        sandbox.identity = Identity(uid: 0, gid: 0, groups: Array(0...65536))
        #expect { _ = try sandbox.plan("/bin/true") } throws: { ($0 as? CapabilityError)?.code == .invalidIdentity }

        sandbox = Sandbox()
        sandbox.noNewPrivileges = false
        sandbox.capabilities = .root(.containerDefault)
        sandbox.landlock = LandlockRuleset(compatibility: .bestEffort)
        #expect {
            _ = try sandbox.plan("/bin/true")
        } throws: { error in
            (error as? CapabilityError)?.field == "landlock" && (error as? CapabilityError)?.message.contains("no_new_privs") == true
        }
    }

    @Test func processCapabilitiesOfThisProcess() throws {
        let state = try ProcessCapabilities.current()
        #expect(state.securebits != nil)
        #expect(state.permitted.isSubset(of: state.bounding) || !state.ambient.isEmpty)
        let other = try ProcessCapabilities(pid: getpid())
        #expect(other.bounding == state.bounding)
        #expect(throws: CapabilityError.self) { _ = try ProcessCapabilities(pid: -5) }
    }
}
