import Glibc

/// A seccomp filter: a default action and rules by system call, compiled with
/// libseccomp into a BPF program the sandbox loads as its last step before
/// exec (seccomp(2) `SECCOMP_SET_MODE_FILTER`).
///
/// Only the native architecture is allowed; calls through a foreign ABI (the
/// i386 `int 0x80` gate, x32 numbers) take `foreignArchitectureAction`, so
/// they cannot bypass the rules. The filter is compiled once, on first use,
/// and every spawn (and every copy of the value) reuses the bytes until the
/// value is changed.
///
/// ```swift
/// var filter = SeccompFilter(defaultAction: .allow)
/// filter.add("mkdir", .errno(EACCES))
/// filter.add("socket", .deny, when: [.notEqual(0, UInt64(AF_UNIX))])
/// sandbox.seccomp = filter
/// ```
public struct SeccompFilter: Sendable, Equatable, CustomStringConvertible, TextOutputStreamable {
    /// The action for calls no rule matches.
    public var defaultAction: SeccompAction { didSet { forgetPrograms() } }
    /// The rules, by system call. An unconditional rule decides alone for
    /// its call; among conditional rules matching a call, the most severe
    /// action wins (kill before errno before allow).
    public var rules: [SeccompRule] { didSet { forgetPrograms() } }
    /// The action for a system call made through a foreign ABI
    /// (libseccomp's `SCMP_FLTATR_ACT_BADARCH`).
    public var foreignArchitectureAction: SeccompAction = .killProcess { didSet { forgetPrograms() } }
    /// Force the kernel's speculative-execution mitigations (store-bypass
    /// disable, indirect-branch restrictions) on the filtered payload, as
    /// loading a filter does unless `SECCOMP_FILTER_FLAG_SPEC_ALLOW` is
    /// passed. Off by default: the payload then follows the host's policy
    /// (`spec_store_bypass_disable=`, `spectre_v2_user=`), and a filtered
    /// system call costs 1.05-1.25x an unfiltered one instead of ~1.4-1.5x.
    /// Turn it on for untrusted payloads on hosts whose policy leaves
    /// processes unmitigated.
    public var forcesSpeculationMitigations = false
    /// Answers `notify` actions in the host; without one, a notified call
    /// fails with ENOSYS.
    public var notificationHandler: SeccompNotificationHandler?
    /// Where compiled programs are kept across processes; nil compiles in
    /// every process that uses the filter (once per value, as always).
    public var programStore: SeccompProgramStore?

    private var cache = ProgramCache()

    /// Drops the programs compiled for the value before a change. A cache
    /// that only this value holds and that holds nothing yet is kept, so a
    /// filter built rule by rule makes no cache per rule.
    private mutating func forgetPrograms() {
        if !isKnownUniquelyReferenced(&cache) || !cache.isEmpty { cache = ProgramCache() }
    }

    /// A filter with `defaultAction` and `rules`.
    public init(defaultAction: SeccompAction, rules: [SeccompRule] = []) {
        self.defaultAction = defaultAction
        self.rules = rules
    }

    /// Adds a rule for `systemCall`.
    public mutating func add(_ systemCall: SystemCall, _ action: SeccompAction, when conditions: [SeccompCondition] = [],
                             optional: Bool = false) {
        rules.append(SeccompRule(systemCall, action, when: conditions, optional: optional))
    }

    /// Adds an unconditional rule with `action` for each call.
    public mutating func add(_ systemCalls: [SystemCall], _ action: SeccompAction, optional: Bool = false) {
        rules += systemCalls.map { SeccompRule($0, action, optional: optional) }
    }

    /// Replaces every rule for `systemCall` (by number, so that a rule
    /// written with the name and one written with the number are the same
    /// call) with one unconditional rule taking `action`: how to change what
    /// a profile does with a call it already has a rule for, where `add`
    /// would make a ``SeccompError/Code/conflictingRules`` error.
    ///
    /// ```swift
    /// var filter = SeccompFilter.defaultProfile()
    /// filter.setAction(.killProcess, for: "socket")
    /// ```
    public mutating func setAction(_ action: SeccompAction, for systemCall: SystemCall, optional: Bool = false) {
        let number = systemCall.number
        rules.removeAll { rule in number.map { rule.systemCall.number == $0 } ?? (rule.systemCall == systemCall) }
        add(systemCall, action, optional: optional)
    }

    /// Whether any action, after the supervisor's rewrite for `variant`,
    /// needs the host's notification listener. Foreign-ABI kills stay
    /// kernel kills (SIGSYS), so a filter without kill or notify rules costs
    /// a spawn no listener.
    public func needsListener(_ variant: SeccompProgram.Variant) -> Bool {
        let actions = rules.map(\.action) + [defaultAction]
        return actions.contains(.notify) || foreignArchitectureAction == .notify
            || (variant == .supervised && actions.contains(.killProcess))
    }

    /// The action the filter takes for call `number` of the native
    /// architecture with `arguments`: what the compiled program decides,
    /// evaluated in Swift (the supervisor uses it to tell a violation from a
    /// notify rule).
    public func action(for number: Int32, arguments: [UInt64], nativeArchitecture: Bool = true) -> SeccompAction {
        guard nativeArchitecture else { return foreignArchitectureAction }
        let forCall = rules.filter { $0.systemCall.number == number }
        // As libseccomp compiles it: an unconditional rule decides alone.
        if let unconditional = forCall.first(where: { $0.conditions.isEmpty }) { return unconditional.action }
        let matching = forCall.filter { $0.matches(arguments) }
        return matching.map(\.action).max { $0.precedence < $1.precedence } ?? defaultAction
    }

    /// Whether every call of `systemCall`, whatever its arguments and through
    /// any ABI, is refused (see ``SeccompAction/refusesCall``): an
    /// unconditional rule refuses it, or the default action does and no rule
    /// lets it through; and calls through a foreign ABI are refused too.
    public func alwaysRefuses(_ systemCall: SystemCall) -> Bool {
        guard foreignArchitectureAction.refusesCall, let number = systemCall.number else { return false }
        let forCall = rules.filter { $0.systemCall.number == number }
        if let unconditional = forCall.first(where: { $0.conditions.isEmpty }) { return unconditional.action.refusesCall }
        return defaultAction.refusesCall && forCall.allSatisfy(\.action.refusesCall)
    }

    /// Rejects rules libseccomp would refuse, naming the rule: unknown names
    /// (unless optional), bad argument indices and comparisons, errno values
    /// out of range.
    public func validate() throws(SeccompError) {
        try Self.validate(defaultAction, field: "defaultAction")
        try Self.validate(foreignArchitectureAction, field: "foreignArchitectureAction")
        var unconditional: [Int32: Int] = [:]
        unconditional.reserveCapacity(rules.count)
        for (index, rule) in rules.enumerated() {
            // Field names are spelled only for an error: a profile has hundreds of rules.
            func field(_ suffix: String = "") -> String { "rules[\(index)]" + suffix }
            // Resolved once: libseccomp looks a name up in its tables.
            let number = rule.systemCall.number
            if rule.conditions.isEmpty, let number {
                if let first = unconditional[number], rules[first].action != rule.action {
                    throw SeccompError(.conflictingRules, field: field(),
                                       "\(rule.systemCall) is already \(rules[first].action) by rules[\(first)]; remove one of them, or replace both with setAction(_:for:)")
                }
                unconditional[number] = unconditional[number] ?? index
            }
            try Self.validate(rule.action, field: field(".action"))
            if !rule.isOptional && number == nil {
                throw SeccompError(.unknownSystemCall, field: field(),
                                   "no system call \"\(rule.systemCall)\" on this architecture; check the spelling or mark the rule optional")
            }
            if rule.conditions.count > 6 {
                throw SeccompError(.invalidCondition, field: field(".conditions"), "at most 6 conditions, got \(rule.conditions.count)")
            }
            for (k, condition) in rule.conditions.enumerated() {
                guard (0...5).contains(condition.argument) else {
                    throw SeccompError(.invalidCondition, field: field(".conditions[\(k)]"), "argument index \(condition.argument) is not 0-5")
                }
                guard SeccompCondition.Comparison.all.contains(condition.comparison) else {
                    throw SeccompError(.invalidCondition, field: field(".conditions[\(k)]"), "unknown comparison \(condition.comparison.rawValue); use 1-7 (SCMP_CMP_NE ... SCMP_CMP_MASKED_EQ)")
                }
                if rule.conditions[..<k].contains(where: { $0.argument == condition.argument }) {
                    throw SeccompError(.invalidCondition, field: field(".conditions[\(k)]"), "a second condition on argument \(condition.argument); libseccomp takes one per argument and rule, split it into two rules")
                }
            }
        }
    }

    private static func validate(_ action: SeccompAction, field: @autoclosure () -> String) throws(SeccompError) {
        if let code = action.errnoCode, !(0...4095).contains(code) {
            throw SeccompError(.invalidAction, field: field(), "errno \(code) is out of range 0-4095")
        }
    }

    /// The BPF program for `variant`, compiled with libseccomp on first use
    /// and cached in the value (and its copies) afterwards.
    public func program(_ variant: SeccompProgram.Variant = .plain) throws(SeccompError) -> SeccompProgram {
        // Validated once per value, like the compilation: what validation
        // reads is what resets the cache when it changes.
        try cache.program(variant) { () throws(SeccompError) -> (SeccompProgram, compiled: Bool) in
            try validate()
            let path = programStore?.path(for: self, variant: variant)
            if let programStore, let path, let bytes = programStore.load(path) {
                return (SeccompProgram(bytes: bytes, needsListener: needsListener(variant)), false)
            }
            let program = try SeccompCompiler(filter: self, variant: variant).compile()
            if let programStore, let path { programStore.save(program.bytes, at: path) }
            return (program, true)
        }
    }

    /// A sealed memfd with the supervised program, shared by every spawn
    /// through the minimal init (which maps it in the payload).
    package func programDescriptor() throws(SeccompError) -> Int32 {
        let program = try program(.supervised)
        return try cache.descriptor(program)
    }

    /// How many times libseccomp compiled this value (and its unchanged
    /// copies): once per program variant, however many spawns use it, and
    /// not at all for a program found in ``programStore``.
    public var compilationCount: Int { cache.compilations.load(ordering: .relaxed) }

    /// Filters are equal when they compile to the same program: the default
    /// and foreign-ABI actions and the rules. The notification handler,
    /// `forcesSpeculationMitigations` and the program store are not compared.
    public static func == (lhs: SeccompFilter, rhs: SeccompFilter) -> Bool {
        lhs.defaultAction == rhs.defaultAction && lhs.rules == rhs.rules
            && lhs.foreignArchitectureAction == rhs.foreignArchitectureAction
    }

    public var description: String {
        var text = ""
        write(to: &text)
        return text
    }

    /// Writes `description` piece by piece, without building it first (the
    /// program store hashes a filter this way).
    public func write<Target: TextOutputStream>(to target: inout Target) {
        target.write("default: ")
        target.write(defaultAction.description)
        target.write("\nforeign architectures: ")
        target.write(foreignArchitectureAction.description)
        for rule in rules {
            target.write("\n")
            rule.write(to: &target)
        }
    }
}
