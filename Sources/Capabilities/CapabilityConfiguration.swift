import CContainment
import ContainmentSupport
import Glibc

/// The capabilities a sandboxed payload holds: its five capability sets and
/// its securebits (capabilities(7)).
///
/// The sets describe the payload as it runs, right after execve(2) of an
/// ordinary executable (no file capabilities, not set-user-ID): what
/// /proc/self/status shows inside. The kernel's exec rules decide which
/// combinations exist, and ``validate(payloadIsRoot:noNewPrivileges:)``
/// rejects the others with the reason:
///
/// - a payload running as uid 0 has its permitted set as effective set, and
///   without no_new_privs gains its whole bounding set;
/// - any other payload keeps only its ambient capabilities, which become
///   its permitted and effective sets.
///
/// ```swift
/// sandbox.capabilities = .ambient([.netBindService])   // a non-root server on port 80
/// sandbox.capabilities = .root([.chown, .bpf])         // uid 0 with two capabilities
/// ```
public struct CapabilityConfiguration: Sendable, Hashable {
    /// The bounding set: the limit of what exec can ever grant, also through
    /// set-user-ID-root binaries and file capabilities (PR_CAPBSET_DROP).
    public var bounding: CapabilitySet
    /// The permitted set (capset(2)).
    public var permitted: CapabilitySet
    /// The effective set: what permission checks use (capset(2)).
    public var effective: CapabilitySet
    /// The inheritable set (capset(2)).
    public var inheritable: CapabilitySet
    /// The ambient set, kept across exec of unprivileged programs
    /// (PR_CAP_AMBIENT_RAISE); a subset of permitted and inheritable.
    public var ambient: CapabilitySet
    /// Securebits set before the uid changes (PR_SET_SECUREBITS).
    public var securebits: Securebits

    /// Creates a configuration from the five sets.
    public init(
        bounding: CapabilitySet,
        permitted: CapabilitySet,
        effective: CapabilitySet,
        inheritable: CapabilitySet = [],
        ambient: CapabilitySet = [],
        securebits: Securebits = []
    ) {
        self.bounding = bounding
        self.permitted = permitted
        self.effective = effective
        self.inheritable = inheritable
        self.ambient = ambient
        self.securebits = securebits
    }

    /// No capabilities at all, in any set: the default for a payload that
    /// does not run as root.
    public static let none = CapabilityConfiguration(bounding: [], permitted: [], effective: [])

    /// A payload running as uid 0 that holds exactly `capabilities`
    /// (bounding, permitted and effective); nothing inheritable or ambient.
    public static func root(_ capabilities: CapabilitySet) -> CapabilityConfiguration {
        CapabilityConfiguration(bounding: capabilities, permitted: capabilities, effective: capabilities)
    }

    /// A payload running as any uid that holds exactly `capabilities`
    /// through its ambient set (all five sets are `capabilities`).
    public static func ambient(_ capabilities: CapabilitySet) -> CapabilityConfiguration {
        CapabilityConfiguration(bounding: capabilities, permitted: capabilities, effective: capabilities,
                                inheritable: capabilities, ambient: capabilities)
    }

    /// The safe default for a payload: ``CapabilitySet/containerDefault``
    /// for uid 0, ``none`` for any other uid.
    public static func defaults(payloadIsRoot: Bool) -> CapabilityConfiguration {
        payloadIsRoot ? .root(.containerDefault) : .none
    }

    /// Rejects sets the kernel refuses or that exec would change.
    /// `payloadIsRoot`: the payload runs as uid 0 in its user namespace.
    public func validate(payloadIsRoot: Bool, noNewPrivileges: Bool) throws(CapabilityError) {
        try requireSubset(effective, of: permitted, "capabilities.effective", "the permitted set", "add them to permitted")
        try requireSubset(ambient, of: permitted, "capabilities.ambient", "the permitted set", "add them to permitted and inheritable")
        try requireSubset(ambient, of: inheritable, "capabilities.ambient", "the inheritable set", "add them to inheritable and permitted")
        try requireSubset(inheritable, of: bounding, "capabilities.inheritable", "the bounding set", "add them to bounding")
        try requireSubset(permitted, of: bounding, "capabilities.permitted", "the bounding set", "add them to bounding")
        if securebits.contains(.noCapAmbientRaise) && !ambient.isEmpty {
            throw CapabilityError(.securebitsConflict, field: "capabilities.securebits",
                                  "SECBIT_NO_CAP_AMBIENT_RAISE forbids raising the ambient set (\(ambient)); drop the bit or empty ambient")
        }
        if payloadIsRoot && !securebits.contains(.noRoot) {
            if effective != permitted {
                throw CapabilityError(.unreachableAfterExec, field: "capabilities.effective",
                                      "exec as uid 0 makes the effective set the permitted set (\(permitted)); set effective to permitted")
            }
            if !noNewPrivileges && permitted != bounding.union(inheritable) {
                throw CapabilityError(.unreachableAfterExec, field: "capabilities.permitted",
                                      "without no_new_privs, exec as uid 0 grants the whole bounding and inheritable sets (\(bounding.union(inheritable))); make permitted equal to them, or shrink bounding")
            }
        } else if permitted != ambient || effective != ambient {
            throw CapabilityError(.unreachableAfterExec, field: "capabilities.permitted",
                                  "a payload not running as uid 0 keeps only its ambient capabilities across exec, as permitted and effective; make permitted and effective equal to ambient (\(ambient)), e.g. with CapabilityConfiguration.ambient(_:)")
        }
    }

    private func requireSubset(_ set: CapabilitySet, of other: CapabilitySet, _ field: String, _ otherName: String,
                               _ fix: String) throws(CapabilityError) {
        let extra = set.subtracting(other)
        guard extra.isEmpty else {
            throw CapabilityError(.inconsistentSets, field: field, "\(extra) \(extra.count == 1 ? "is" : "are") not in \(otherName); \(fix)")
        }
    }

    /// Steps before the uid change: drop the bounding set down to `bounding`
    /// (capabilities 0 through `lastCapability`) and set the securebits, with
    /// SECBIT_KEEP_CAPS added when `keepsAcrossUIDChange` (a payload that
    /// leaves uid 0 but keeps capabilities). `canDropBounding` is false when
    /// the child lacks CAP_SETPCAP (no user namespace, host not root).
    package func boundingSteps(lastCapability: Capability, canDropBounding: Bool, keepsAcrossUIDChange: Bool) -> [SetupStep] {
        guard canDropBounding else { return [] }
        var steps: [SetupStep] = (0...lastCapability.rawValue).compactMap(Capability.init(rawValue:))
            .filter { !bounding.contains($0) }
            .map { .syscall(.boundingSet, "drop \($0) from the bounding set", Int(SYS_prctl), .integer(Int(PR_CAPBSET_DROP)), .integer($0.rawValue)) }
        let bits = keepsAcrossUIDChange ? securebits.union(.keepCaps) : securebits
        if !bits.isEmpty {
            steps.append(.syscall(.boundingSet, "set securebits \(bits)", Int(SYS_prctl),
                                  .integer(Int(PR_SET_SECUREBITS)), .integer(Int(bits.rawValue))))
        }
        return steps
    }

    /// Steps after the uid change: capset(2) the permitted, effective and
    /// inheritable sets, then clear and raise the ambient set.
    package func capabilitySteps() -> [SetupStep] {
        var steps: [SetupStep] = [
            .syscall(.capabilities, "set capabilities: permitted \(permitted), effective \(effective), inheritable \(inheritable)",
                     Int(SYS_capset), .bytes(Self.capsetHeader), .bytes(capsetData)),
            .syscall(.capabilities, "clear the ambient set", Int(SYS_prctl),
                     .integer(Int(PR_CAP_AMBIENT)), .integer(Int(PR_CAP_AMBIENT_CLEAR_ALL)), .integer(0), .integer(0), .integer(0)),
        ]
        for capability in ambient {
            steps.append(.syscall(.capabilities, "raise \(capability) in the ambient set", Int(SYS_prctl),
                                  .integer(Int(PR_CAP_AMBIENT)), .integer(Int(PR_CAP_AMBIENT_RAISE)),
                                  .integer(capability.rawValue), .integer(0), .integer(0)))
        }
        return steps
    }

    /// struct __user_cap_header_struct: _LINUX_CAPABILITY_VERSION_3, pid 0.
    private static let capsetHeader: [UInt8] = bytes(of: [UInt32(0x2008_0522), 0])

    /// Two struct __user_cap_data_struct: the low and high 32 bits of
    /// effective, permitted and inheritable.
    private var capsetData: [UInt8] {
        let words = [effective, permitted, inheritable]
        return Self.bytes(of: words.map { UInt32(truncatingIfNeeded: $0.rawValue) } + words.map { UInt32(truncatingIfNeeded: $0.rawValue >> 32) })
    }

    private static func bytes(of words: [UInt32]) -> [UInt8] {
        words.flatMap { withUnsafeBytes(of: $0) { Array($0) } }
    }
}
