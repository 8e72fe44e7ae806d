import CContainment

/// The Landlock ABI version of the running kernel
/// (landlock_create_ruleset(2) with LANDLOCK_CREATE_RULESET_VERSION): which
/// rights and rule types it can enforce. Version 0 means no Landlock (the
/// kernel lacks it or the LSM is not enabled).
public struct LandlockABI: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The version number.
    public let rawValue: Int
    /// The ABI numbered `rawValue`.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The running kernel's ABI.
    public static var current: LandlockABI {
        LandlockABI(rawValue: max(0, Int(cn_landlock_abi())))
    }

    /// No Landlock.
    public static let unsupported = LandlockABI(rawValue: 0)
    /// The first version that restricts TCP bind and connect.
    public static let tcp = LandlockABI(rawValue: 4)
    /// The first version with IPC scopes.
    public static let scopes = LandlockABI(rawValue: 6)

    /// The filesystem rights this ABI can restrict.
    public var filesystemAccess: LandlockAccess {
        var access = LandlockAccess(rawValue: rawValue >= 1 ? (1 << 13) - 1 : 0)
        if rawValue >= 2 { access.insert(.refer) }
        if rawValue >= 3 { access.insert(.truncate) }
        if rawValue >= 5 { access.insert(.deviceIOCTL) }
        return access
    }

    /// The ABI that first restricts each right of `access`.
    static func introducing(_ access: LandlockAccess) -> LandlockABI {
        if access.contains(.deviceIOCTL) { return LandlockABI(rawValue: 5) }
        if access.contains(.truncate) { return LandlockABI(rawValue: 3) }
        if access.contains(.refer) { return LandlockABI(rawValue: 2) }
        return LandlockABI(rawValue: 1)
    }

    public static func < (lhs: LandlockABI, rhs: LandlockABI) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue == 0 ? "no Landlock" : "Landlock ABI \(rawValue)" }

    /// landlock_restrict_self(2)'s number (the same on x86_64 and aarch64).
    static let restrictSelf = 446
}
