import CCap
import ContainmentSupport
import Glibc
import SystemPackage

/// The capabilities attached to an executable (the security.capability
/// extended attribute, as setcap(8) writes it), read with libcap's
/// cap_get_file(3): what exec grants through the file, always limited by the
/// bounding set.
public struct FileCapabilities: Sendable, Hashable, CustomStringConvertible {
    /// The file permitted set (fP).
    public var permitted: CapabilitySet
    /// The file inheritable set (fI).
    public var inheritable: CapabilitySet
    /// The file effective bit (fE): the permitted set becomes effective at exec.
    public var effective: Bool
    /// The uid of the user namespace root the capabilities apply to
    /// (version 3 attributes, cap_get_nsowner(3)); 0 for version 2.
    public var rootID: UInt32

    /// The capabilities of `path`; nil when it has none (ENODATA).
    public init?(path: FilePath) throws(CapabilityError) {
        guard let state = cap_get_file(path.string) else {
            if errno == ENODATA { return nil }
            throw CapabilityError(.hostFailure, field: "path", "cap_get_file \(path): \(errnoName(errno))")
        }
        defer { cap_free(UnsafeMutableRawPointer(state)) }
        func set(_ flag: cap_flag_t) -> CapabilitySet {
            CapabilitySet((0...Capability.lastSupported.rawValue).compactMap(Capability.init(rawValue:)).filter { capability in
                var value = CAP_CLEAR
                return cap_get_flag(state, cap_value_t(capability.rawValue), flag, &value) == 0 && value == CAP_SET
            })
        }
        permitted = set(CAP_PERMITTED)
        inheritable = set(CAP_INHERITABLE)
        effective = !set(CAP_EFFECTIVE).isEmpty
        rootID = UInt32(truncatingIfNeeded: cap_get_nsowner(state))
    }

    /// The text form setcap(8) takes, e.g. "cap_net_raw=ep".
    public var text: String {
        CapabilityText.render(permitted: permitted, effective: effective ? permitted : [], inheritable: inheritable)
    }

    public var description: String { text }
}
