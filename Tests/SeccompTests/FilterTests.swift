import Containment
import Glibc
import Seccomp
import Testing

/// The builder, validation, evaluation and compilation, without a sandbox.
@Suite struct FilterTests {
    @Test func unknownNamesAreTypedErrorsUnlessOptional() throws {
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("mkdir", .deny)
        filter.add("frobnicate", .deny)
        #expect {
            try filter.program()
        } throws: { error in
            let error = error as? SeccompError
            return error?.code == .unknownSystemCall && error?.field == "rules[1]" && error?.message.contains("frobnicate") == true
        }
        filter.rules[1].isOptional = true
        #expect(try filter.program().instructionCount > 0)
    }

    @Test func malformedConditionsAreRejected() {
        for condition in [SeccompCondition(argument: 6, .equal, 1), SeccompCondition(argument: 0, .init(rawValue: 9), 1)] {
            var filter = SeccompFilter(defaultAction: .allow)
            filter.add("read", .deny, when: [condition])
            #expect(throws: SeccompError.self) { try filter.validate() }
        }
        var twice = SeccompFilter(defaultAction: .allow)
        twice.add("read", .deny, when: [.notEqual(0, 1), .notEqual(0, 2)])
        #expect { try twice.validate() } throws: { ($0 as? SeccompError)?.field == "rules[0].conditions[1]" }
        var errno = SeccompFilter(defaultAction: .errno(5000))
        errno.add("read", .allow)
        #expect { try errno.validate() } throws: { ($0 as? SeccompError)?.code == .invalidAction }
    }

    @Test func conflictingUnconditionalRulesAreRejected() {
        var filter = SeccompFilter.defaultProfile()
        filter.add("mkdir", .errno(EXDEV))
        #expect { try filter.validate() } throws: { ($0 as? SeccompError)?.code == .conflictingRules }
    }

    @Test func setActionReplacesEveryRuleForTheCall() throws {
        let mkdir = try #require(SystemCall("mkdir").number)
        var filter = SeccompFilter.defaultProfile()
        filter.add(SystemCall(number: mkdir), .allow, when: [.equal(1, 0o700)])
        let others = filter.rules.filter { $0.systemCall.number != mkdir }
        filter.setAction(.errno(EXDEV), for: "mkdir")
        try filter.validate()
        #expect(filter.rules.filter { $0.systemCall.number == mkdir } == [SeccompRule("mkdir", .errno(EXDEV))])
        #expect(filter.rules.dropLast() == others[...])
        #expect(filter.action(for: mkdir, arguments: [0, 0o700]) == .errno(EXDEV))
    }

    @Test func evaluationPicksTheMostSevereMatchingRule() throws {
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("socket", .errno(EACCES), when: [.notEqual(0, UInt64(AF_UNIX))])
        filter.add("socket", .killProcess, when: [.equal(0, UInt64(AF_PACKET))])
        let socket = try #require(SystemCall("socket").number)
        #expect(filter.action(for: socket, arguments: [UInt64(AF_UNIX), 1, 0, 0, 0, 0]) == .allow)
        #expect(filter.action(for: socket, arguments: [UInt64(AF_INET), 1, 0, 0, 0, 0]) == .errno(EACCES))
        #expect(filter.action(for: socket, arguments: [UInt64(AF_PACKET), 1, 0, 0, 0, 0]) == .killProcess)
        #expect(filter.action(for: socket, arguments: [0, 0, 0, 0, 0, 0], nativeArchitecture: false) == .killProcess)
    }

    /// What the network namespace pool relies on to recycle an entry: the
    /// filter keeps the payload from a call whatever its arguments and ABI.
    @Test func alwaysRefusesOnlyWhatNoArgumentOrABIGetsThrough() {
        let profile = SeccompFilter.defaultProfile()
        #expect(profile.alwaysRefuses("keyctl"))
        #expect(!profile.alwaysRefuses("read"))
        var open = SeccompFilter(defaultAction: .allow)
        #expect(!open.alwaysRefuses("keyctl"))
        open.add("keyctl", .errno(EPERM))
        #expect(open.alwaysRefuses("keyctl"))
        var conditional = SeccompFilter(defaultAction: .errno(EPERM))
        conditional.add("keyctl", .allow, when: [.equal(0, 0)])
        #expect(!conditional.alwaysRefuses("keyctl"))
        conditional.add("keyctl", .killProcess, when: [.equal(0, 1)])
        #expect(!conditional.alwaysRefuses("keyctl"))
        var notified = SeccompFilter(defaultAction: .errno(EPERM))
        notified.add("keyctl", .notify)
        #expect(!notified.alwaysRefuses("keyctl"))
        var foreign = SeccompFilter.defaultProfile()
        foreign.foreignArchitectureAction = .allow
        #expect(!foreign.alwaysRefuses("keyctl"))
    }

    @Test func lowWordComplementMatchesEverythingButTheExcludedValues() {
        let excluded: [UInt32] = [0x5412, 0x541C]
        let conditions = SeccompCondition.lowWord(of: 1, excluding: excluded)
        #expect(conditions.count < 64)
        var probes: [UInt64] = excluded.map(UInt64.init) + excluded.map { UInt64($0) | 1 << 32 }
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            probes.append(x)
            probes.append(x & 0xffff)
            probes.append(UInt64(0x5400) | (x & 0x3f))
        }
        for value in probes {
            let matches = conditions.contains { $0.matches([0, value, 0, 0, 0, 0]) }
            #expect(matches == !excluded.contains(UInt32(truncatingIfNeeded: value)), "0x\(String(value, radix: 16))")
        }
    }

    @Test func copiesShareOneCompilationAndChangesRecompile() throws {
        var filter = SeccompFilter.defaultProfile()
        let copy = filter
        let first = try filter.program(.supervised)
        #expect(try copy.program(.supervised) == first)
        #expect(filter.compilationCount == 1 && copy.compilationCount == 1)
        filter.add("kexec_load", .errno(EXDEV))
        #expect(filter.compilationCount == 0)
        #expect(try filter.program(.supervised) != first)
        #expect(filter.compilationCount == 1)
        // The changed value now holds its cache alone; a further change still recompiles.
        let second = try filter.program(.supervised)
        filter.add("kexec_file_load", .errno(EXDEV))
        #expect(filter.compilationCount == 0)
        #expect(try filter.program(.supervised) != second)
    }

    @Test func aCopyTakenBeforeAnyCompilationKeepsItsOwnProgram() throws {
        // A filter under construction keeps its empty cache from rule to
        // rule; a copy made meanwhile must not see the other's programs.
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("mkdir", .errno(EPERM))
        let copy = filter
        filter.add("rmdir", .errno(EPERM))
        let copyProgram = try copy.program()
        #expect(try filter.program() != copyProgram)
        #expect(filter.compilationCount == 1 && copy.compilationCount == 1)
    }

    @Test func supervisedProgramsNeedAListenerOnlyForKillsAndNotifications() throws {
        #expect(try SeccompFilter.defaultProfile().program(.supervised).needsListener == false)
        #expect(try SeccompFilter.strict.program(.supervised).needsListener)
        #expect(try SeccompFilter.strict.program(.plain).needsListener == false)
        var notify = SeccompFilter(defaultAction: .allow)
        notify.add("connect", .notify)
        #expect(try notify.program(.plain).needsListener)
    }
}

/// The plan a filter adds to a sandbox, without running it.
@Suite struct SeccompPlanTests {
    @Test func dryRunListsWhereTheFilterIsLoaded() throws {
        var sandbox = Sandbox()
        sandbox.seccomp = .strict
        let withInit = try sandbox.plan("/bin/true").childSteps
        #expect(withInit.contains("place seccomp filter at 1000"), "\(withInit)")
        #expect(withInit.contains("place seccomp listener hand-off socket at 1001"))
        #expect(withInit.last == "exec /bin/true")

        sandbox.initProcess = .payload
        let withoutInit = try sandbox.plan("/bin/true").childSteps
        let instructions = try SeccompFilter.strict.program(.supervised).instructionCount
        #expect(Array(withoutInit.suffix(3)) == ["unblock signals", "load the seccomp filter (\(instructions) instructions)", "exec /bin/true"])
    }

    @Test func badFiltersFailThePlanBeforeAnyProcessExists() {
        var sandbox = Sandbox()
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("no_such_call", .deny)
        sandbox.seccomp = filter
        #expect { try sandbox.plan("/bin/true") } throws: { ($0 as? SeccompError)?.code == .unknownSystemCall }
    }
}

extension FilterTests {
    @Test func listenerHandOffNeedsSendmsg() {
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("connect", .notify)
        filter.add("sendmsg", .notify)
        #expect { try filter.program(.supervised) } throws: { ($0 as? SeccompError)?.code == .conflictingRules }
        #expect(throws: Never.self) { try filter.program(.plain) }
    }
}
