/// A set of capabilities as the kernel stores one: a 64-bit mask, bit *n*
/// for capability *n* (the `CapPrm`/`CapEff`/... lines of proc(5), the two
/// 32-bit words of capget(2)). Capabilities 32 and above (CAP_PERFMON,
/// CAP_BPF, CAP_CHECKPOINT_RESTORE) are ordinary members.
public struct CapabilitySet: SetAlgebra, Sequence, RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The 64-bit mask.
    public var rawValue: UInt64

    /// The set whose mask is `rawValue`.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The empty set.
    public init() { rawValue = 0 }

    /// The set of `capabilities`.
    public init<S: Sequence>(_ capabilities: S) where S.Element == Capability {
        rawValue = capabilities.reduce(0) { $0 | (1 << UInt64($1.rawValue)) }
    }

    /// Parses a comma- or space-separated list of names ("CAP_CHOWN,
    /// net_raw, 39"); `field` names the configuration field in errors.
    public init(names: String, field: String = "capabilities") throws(CapabilityError) {
        var set = CapabilitySet()
        for name in names.split(whereSeparator: { $0 == "," || $0 == " " }) {
            set.insert(try Capability(name: String(name), field: field))
        }
        self = set
    }

    /// Every capability from 0 through `last` (by default the kernel's
    /// /proc/sys/kernel/cap_last_cap).
    public static func all(through last: Capability = .lastSupported) -> CapabilitySet {
        CapabilitySet(rawValue: last.rawValue == 63 ? .max : (1 << UInt64(last.rawValue + 1)) - 1)
    }

    /// The 14 capabilities container engines keep for a root payload by
    /// default (Docker, containerd, Podman): CAP_CHOWN, CAP_DAC_OVERRIDE,
    /// CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
    /// CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
    /// CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE.
    public static let containerDefault: CapabilitySet = [
        .chown, .dacOverride, .fileSetID, .fileOwner, .mknod, .netRaw, .setGID,
        .setUID, .setFCAP, .setPCAP, .netBindService, .sysChroot, .kill, .auditWrite,
    ]

    public func contains(_ member: Capability) -> Bool { rawValue & (1 << UInt64(member.rawValue)) != 0 }

    @discardableResult
    public mutating func insert(_ newMember: Capability) -> (inserted: Bool, memberAfterInsert: Capability) {
        let inserted = !contains(newMember)
        rawValue |= 1 << UInt64(newMember.rawValue)
        return (inserted, newMember)
    }

    @discardableResult
    public mutating func remove(_ member: Capability) -> Capability? {
        guard contains(member) else { return nil }
        rawValue &= ~(1 << UInt64(member.rawValue))
        return member
    }

    @discardableResult
    public mutating func update(with newMember: Capability) -> Capability? {
        insert(newMember).inserted ? nil : newMember
    }

    public func union(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(rawValue: rawValue | other.rawValue) }
    public func intersection(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(rawValue: rawValue & other.rawValue) }
    public func symmetricDifference(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(rawValue: rawValue ^ other.rawValue) }
    public mutating func formUnion(_ other: CapabilitySet) { rawValue |= other.rawValue }
    public mutating func formIntersection(_ other: CapabilitySet) { rawValue &= other.rawValue }
    public mutating func formSymmetricDifference(_ other: CapabilitySet) { rawValue ^= other.rawValue }

    /// The members, lowest number first.
    public func makeIterator() -> some IteratorProtocol<Capability> {
        let mask = rawValue
        return (0..<64).lazy.filter { mask & (1 << UInt64($0)) != 0 }.compactMap(Capability.init(rawValue:)).makeIterator()
    }

    /// The number of capabilities in the set.
    public var count: Int { rawValue.nonzeroBitCount }

    /// The mask as proc(5) prints it: 16 hex digits.
    public var hexadecimal: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The names, comma-separated ("CAP_CHOWN,CAP_KILL"), or "none".
    public var description: String {
        isEmpty ? "none" : map(\.description).joined(separator: ",")
    }
}
