import CContainment
import ContainmentSupport
import Glibc

/// Who the payload runs as inside the sandbox: uid, gid and supplementary
/// groups, set with setgroups(2), setresgid(2) and setresuid(2) in that order.
public struct Identity: Sendable, Hashable {
    /// The real, effective and saved uid.
    public var uid: UInt32
    /// The real, effective and saved gid.
    public var gid: UInt32
    /// Supplementary groups; empty by default, never the host's.
    public var groups: [UInt32]

    /// Creates an identity.
    public init(uid: UInt32, gid: UInt32, groups: [UInt32] = []) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    /// Root: uid and gid 0, no groups.
    public static let root = Identity(uid: 0, gid: 0)

    /// Steps that clear or set the groups (when the user namespace allows
    /// setgroups) and then switch gid and uid.
    package func setupSteps(setgroupsAllowed: Bool) -> [SetupStep] {
        var steps: [SetupStep] = []
        if setgroupsAllowed { steps.append(Self.setGroupsStep(groups)) }
        steps.append(.syscall(.identity, "setresgid \(gid)", Int(SYS_setresgid),
                              .integer(Int(gid)), .integer(Int(gid)), .integer(Int(gid))))
        steps.append(.syscall(.identity, "setresuid \(uid)", Int(SYS_setresuid),
                              .integer(Int(uid)), .integer(Int(uid)), .integer(Int(uid))))
        return steps
    }

    /// setgroups(2) with exactly `groups`.
    package static func setGroupsStep(_ groups: [UInt32]) -> SetupStep {
        let bytes = groups.flatMap { withUnsafeBytes(of: $0) { Array($0) } }
        let list = groups.isEmpty ? "none" : groups.map(String.init).joined(separator: ",")
        return .syscall(.identity, "setgroups \(list)", Int(SYS_setgroups),
                        .integer(groups.count), groups.isEmpty ? .integer(0) : .bytes(bytes))
    }
}

extension Identity {
    /// Rejects more supplementary groups than the kernel takes (NGROUPS_MAX,
    /// 65536).
    public func validate() throws(CapabilityError) {
        if groups.count > 65536 {
            throw CapabilityError(.invalidIdentity, field: "identity.groups",
                                  "\(groups.count) groups; the kernel takes at most 65536 (NGROUPS_MAX)")
        }
    }
}
