import CContainment
import ContainmentSupport
import Glibc

/// The capability state of a running process: its five sets from
/// /proc/PID/status (proc(5) CapInh, CapPrm, CapEff, CapBnd, CapAmb) and its
/// no_new_privs flag, and for the calling thread its securebits
/// (PR_GET_SECUREBITS).
public struct ProcessCapabilities: Sendable, Hashable, CustomStringConvertible {
    /// CapBnd.
    public var bounding: CapabilitySet
    /// CapPrm.
    public var permitted: CapabilitySet
    /// CapEff.
    public var effective: CapabilitySet
    /// CapInh.
    public var inheritable: CapabilitySet
    /// CapAmb.
    public var ambient: CapabilitySet
    /// NoNewPrivs.
    public var noNewPrivileges: Bool
    /// The securebits; known for the calling thread only.
    public var securebits: Securebits?

    /// The state of process `pid`, read from /proc/PID/status.
    public init(pid: Int32) throws(CapabilityError) {
        try self.init(statusPath: "/proc/\(pid)/status")
    }

    /// The calling thread's state, with its securebits.
    public static func current() throws(CapabilityError) -> ProcessCapabilities {
        var state = try ProcessCapabilities(statusPath: "/proc/thread-self/status")
        let bits = cn_get_securebits()
        state.securebits = bits >= 0 ? Securebits(rawValue: UInt32(bits)) : nil
        return state
    }

    private init(statusPath: String) throws(CapabilityError) {
        let text: String
        do { text = try readText(statusPath) } catch {
            throw CapabilityError(.hostFailure, field: "pid", "read \(statusPath): \(errnoName(error.rawValue)); is the process still running?")
        }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...].drop { $0 == "\t" || $0 == " " })
        }
        func set(_ key: String) throws(CapabilityError) -> CapabilitySet {
            guard let value = fields[key].flatMap({ UInt64($0, radix: 16) }) else {
                throw CapabilityError(.hostFailure, field: "pid", "\(statusPath) has no \(key) line")
            }
            return CapabilitySet(rawValue: value)
        }
        bounding = try set("CapBnd")
        permitted = try set("CapPrm")
        effective = try set("CapEff")
        inheritable = try set("CapInh")
        ambient = try set("CapAmb")
        noNewPrivileges = fields["NoNewPrivs"] == "1"
        securebits = nil
    }

    /// The text form of libcap (cap_to_text(3)) of the permitted,
    /// effective and inheritable sets, e.g. "cap_net_bind_service=eip".
    public var text: String {
        CapabilityText.render(permitted: permitted, effective: effective, inheritable: inheritable)
    }

    public var description: String {
        "bounding \(bounding), permitted \(permitted), effective \(effective), inheritable \(inheritable), ambient \(ambient), no_new_privs \(noNewPrivileges ? 1 : 0)"
    }
}
