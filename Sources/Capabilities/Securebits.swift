/// The securebits flags of a thread (prctl(2) PR_SET_SECUREBITS,
/// capabilities(7) "The securebits flags"). Each flag has a lock bit that
/// makes it immutable, also for descendants.
public struct Securebits: OptionSet, Sendable, Hashable, CustomStringConvertible {
    /// The bits as PR_GET_SECUREBITS returns them.
    public let rawValue: UInt32
    /// Securebits from their raw value.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// SECBIT_NOROOT: uid 0 gets no capabilities from exec; a root payload
    /// is treated like any other uid.
    public static let noRoot = Securebits(rawValue: 1 << 0)
    /// SECBIT_NOROOT_LOCKED.
    public static let noRootLocked = Securebits(rawValue: 1 << 1)
    /// SECBIT_NO_SETUID_FIXUP: changing uids between 0 and non-zero does
    /// not adjust the capability sets.
    public static let noSetuidFixup = Securebits(rawValue: 1 << 2)
    /// SECBIT_NO_SETUID_FIXUP_LOCKED.
    public static let noSetuidFixupLocked = Securebits(rawValue: 1 << 3)
    /// SECBIT_KEEP_CAPS: keep the permitted set when all uids become
    /// non-zero (cleared by every execve).
    public static let keepCaps = Securebits(rawValue: 1 << 4)
    /// SECBIT_KEEP_CAPS_LOCKED.
    public static let keepCapsLocked = Securebits(rawValue: 1 << 5)
    /// SECBIT_NO_CAP_AMBIENT_RAISE: the ambient set cannot be raised.
    public static let noCapAmbientRaise = Securebits(rawValue: 1 << 6)
    /// SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED.
    public static let noCapAmbientRaiseLocked = Securebits(rawValue: 1 << 7)

    /// Every flag set and locked: no way back to root's privileges (the
    /// "pure capabilities" mode of capabilities(7)).
    public static let lockedDown: Securebits = [
        .noRoot, .noRootLocked, .noSetuidFixup, .noSetuidFixupLocked, .keepCapsLocked,
        .noCapAmbientRaise, .noCapAmbientRaiseLocked,
    ]

    /// The flags by their C names, "|"-separated, or "none".
    public var description: String {
        let names = ["SECBIT_NOROOT", "SECBIT_NOROOT_LOCKED", "SECBIT_NO_SETUID_FIXUP", "SECBIT_NO_SETUID_FIXUP_LOCKED",
                     "SECBIT_KEEP_CAPS", "SECBIT_KEEP_CAPS_LOCKED", "SECBIT_NO_CAP_AMBIENT_RAISE",
                     "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED"]
        let set = names.indices.filter { rawValue & (1 << UInt32($0)) != 0 }.map { names[$0] }
        let unknown = rawValue & ~UInt32((1 << names.count) - 1)
        return set.isEmpty && unknown == 0 ? "none" : (set + (unknown == 0 ? [] : ["0x" + String(unknown, radix: 16)])).joined(separator: "|")
    }
}
