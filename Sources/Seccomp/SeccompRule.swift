/// One rule of a filter: the action for a system call, optionally only when
/// its arguments satisfy every condition (seccomp_rule_add(3)).
public struct SeccompRule: Sendable, Hashable, CustomStringConvertible, TextOutputStreamable {
    /// The system call.
    public var systemCall: SystemCall
    /// What happens when it matches.
    public var action: SeccompAction
    /// Conditions on the arguments, all of which must hold.
    public var conditions: [SeccompCondition]
    /// Skip the rule, instead of failing, when the native architecture has no
    /// call of that name (profiles written for many architectures).
    public var isOptional: Bool

    /// A rule.
    public init(_ systemCall: SystemCall, _ action: SeccompAction, when conditions: [SeccompCondition] = [],
                optional isOptional: Bool = false) {
        self.systemCall = systemCall
        self.action = action
        self.conditions = conditions
        self.isOptional = isOptional
    }

    /// Whether a call with `arguments` satisfies every condition.
    public func matches(_ arguments: [UInt64]) -> Bool { conditions.allSatisfy { $0.matches(arguments) } }

    public var description: String {
        var text = ""
        write(to: &text)
        return text
    }

    /// Writes `description` piece by piece, without building it first.
    public func write<Target: TextOutputStream>(to target: inout Target) {
        target.write(systemCall.description)
        for (index, condition) in conditions.enumerated() {
            target.write(index == 0 ? " if " : " && ")
            target.write(condition.description)
        }
        target.write(": ")
        target.write(action.description)
    }
}
