import CContainment
import ContainmentSupport
import Glibc
import SystemPackage

/// Landlock rules for a sandboxed payload (landlock(7)): the paths it may
/// read, write or execute beneath, and the TCP ports it may bind or connect
/// to. Everything else of what the ruleset restricts is denied (EACCES).
///
/// Paths are resolved on the host when the command is prepared; a rule
/// follows the file, so a bind mount of an allowed folder stays allowed
/// inside the sandbox's own root.
///
/// ```swift
/// var rules = LandlockRuleset()
/// rules.allow(.execute, ["/usr", "/lib", "/lib64"])
/// rules.allow(.write, ["/srv/out"])
/// rules.tcpConnectPorts = [443]
/// sandbox.landlock = rules
/// ```
public struct LandlockRuleset: Sendable, Hashable {
    /// One path and what it allows beneath (or on, for a file).
    public struct PathRule: Sendable, Hashable {
        /// An absolute path that exists on the host.
        public var path: FilePath
        /// The rights granted there.
        public var access: LandlockAccess
        /// A rule granting `access` beneath `path`.
        public init(_ path: FilePath, _ access: LandlockAccess) {
            self.path = path
            self.access = access
        }
    }

    /// The path rules (LANDLOCK_RULE_PATH_BENEATH).
    public var pathRules: [PathRule]
    /// Restrict the filesystem: every right of ``LandlockAccess/all`` the
    /// kernel knows is denied outside `pathRules`.
    public var restrictsFilesystem: Bool
    /// Ports the payload may bind TCP sockets to (LANDLOCK_ACCESS_NET_BIND_TCP,
    /// ABI 4); nil leaves binding unrestricted, [] denies it entirely.
    public var tcpBindPorts: [UInt16]?
    /// Ports the payload may connect TCP sockets to
    /// (LANDLOCK_ACCESS_NET_CONNECT_TCP, ABI 4); nil leaves connecting
    /// unrestricted, [] denies it entirely.
    public var tcpConnectPorts: [UInt16]?
    /// IPC denied towards processes outside the sandbox (ABI 6).
    public var scopes: LandlockScope
    /// What to do when the kernel's ABI cannot enforce all of this.
    public var compatibility: LandlockCompatibility

    /// A ruleset that restricts the filesystem and allows nothing yet.
    public init(
        pathRules: [PathRule] = [],
        restrictsFilesystem: Bool = true,
        tcpBindPorts: [UInt16]? = nil,
        tcpConnectPorts: [UInt16]? = nil,
        scopes: LandlockScope = [],
        compatibility: LandlockCompatibility = .strict
    ) {
        self.pathRules = pathRules
        self.restrictsFilesystem = restrictsFilesystem
        self.tcpBindPorts = tcpBindPorts
        self.tcpConnectPorts = tcpConnectPorts
        self.scopes = scopes
        self.compatibility = compatibility
    }

    /// Grants `access` beneath each of `paths`.
    public mutating func allow(_ access: LandlockAccess, _ paths: [FilePath]) {
        pathRules += paths.map { PathRule($0, access) }
    }

    /// Rejects rules that cannot work: relative or missing paths, empty
    /// rights, path rules without filesystem restriction.
    public func validate() throws(CapabilityError) {
        for (index, rule) in pathRules.enumerated() {
            let field = "landlock.pathRules[\(index)]"
            if !rule.path.isAbsolute {
                throw CapabilityError(.invalidLandlockRule, field: field, "\"\(rule.path)\" is relative; give an absolute path")
            }
            if rule.access.isEmpty || !LandlockAccess.all.isSuperset(of: rule.access) {
                throw CapabilityError(.invalidLandlockRule, field: field, "rights \(rule.access) for \(rule.path) are empty or unknown; use LandlockAccess members")
            }
            if !restrictsFilesystem {
                throw CapabilityError(.invalidLandlockRule, field: field, "path rules need restrictsFilesystem; set it or drop the rule")
            }
            var info = stat()
            if stat(rule.path.string, &info) != 0 {
                throw CapabilityError(.invalidLandlockRule, field: field,
                                      "\(rule.path): \(errnoName(errno)); rules are resolved on the host when the command is prepared, so the path must exist there")
            }
        }
    }

    /// What `abi` enforces of this ruleset. Throws
    /// ``CapabilityError/Code-swift.struct/landlockUnsupported`` when
    /// something is missing and `compatibility` is strict.
    public func negotiate(with abi: LandlockABI) throws(CapabilityError) -> LandlockReport {
        var missing: [String] = []
        var enforced = self
        if abi == .unsupported {
            missing.append("Landlock itself (the kernel lacks it or boots without lsm=landlock)")
        } else {
            let unsupported = restrictsFilesystem ? LandlockAccess.all.subtracting(abi.filesystemAccess) : []
            if !unsupported.isEmpty {
                missing.append("filesystem rights \(unsupported) (need ABI \(LandlockABI.introducing(unsupported).rawValue))")
            }
            if abi < .tcp && (tcpBindPorts != nil || tcpConnectPorts != nil) {
                missing.append("TCP bind and connect rules (need ABI \(LandlockABI.tcp.rawValue))")
                enforced.tcpBindPorts = nil
                enforced.tcpConnectPorts = nil
            }
            if abi < .scopes && !scopes.isEmpty {
                missing.append("IPC scopes (need ABI \(LandlockABI.scopes.rawValue))")
                enforced.scopes = []
            }
        }
        if !missing.isEmpty && compatibility == .strict {
            throw CapabilityError(.landlockUnsupported, field: "landlock",
                                  "the kernel has \(abi) and cannot enforce: \(missing.joined(separator: "; ")); upgrade the kernel or set compatibility to .bestEffort")
        }
        let restricts = enforced.restrictsFilesystem || enforced.tcpBindPorts != nil || enforced.tcpConnectPorts != nil || !enforced.scopes.isEmpty
        return LandlockReport(abi: abi, notEnforced: missing, ruleset: abi == .unsupported || !restricts ? nil : enforced)
    }

    /// Builds the ruleset in the kernel for `abi` (landlock_create_ruleset(2)
    /// and landlock_add_rule(2), paths opened O_PATH on the host). The
    /// child restricts itself with the descriptor.
    package func makeDescriptor(abi: LandlockABI) throws(CapabilityError) -> LandlockRulesetDescriptor {
        let handledFilesystem = restrictsFilesystem ? abi.filesystemAccess : []
        var handledNetwork: UInt64 = 0
        if tcpBindPorts != nil { handledNetwork |= Self.bindTCP }
        if tcpConnectPorts != nil { handledNetwork |= Self.connectTCP }
        let attribute = [handledFilesystem.rawValue, handledNetwork, scopes.rawValue]
        let size = abi >= .scopes ? 24 : abi >= .tcp ? 16 : 8
        let fd = attribute.withUnsafeBytes { cn_landlock_create_ruleset($0.baseAddress, size) }
        guard fd >= 0 else { throw Self.hostFailure("landlock_create_ruleset", -fd) }
        let descriptor = LandlockRulesetDescriptor(fd)

        for rule in pathRules {
            let pathFD = open(rule.path.string, 0o10000000 /* O_PATH */ | O_CLOEXEC)
            guard pathFD >= 0 else { throw Self.hostFailure("open \(rule.path)", errno) }
            defer { close(pathFD) }
            var info = stat()
            fstat(pathFD, &info)
            let isDirectory = info.st_mode & S_IFMT == S_IFDIR
            let access = rule.access.intersection(handledFilesystem).intersection(isDirectory ? .all : .fileRights)
            if access.isEmpty { continue }
            // struct landlock_path_beneath_attr (packed): u64 allowed_access, s32 parent_fd.
            let bytes = Self.bytes(access.rawValue) + Self.bytes(pathFD)
            let result = bytes.withUnsafeBytes { cn_landlock_add_rule(fd, 1 /* LANDLOCK_RULE_PATH_BENEATH */, $0.baseAddress) }
            if result < 0 { throw Self.hostFailure("landlock_add_rule \(rule.path) \(access)", -result) }
        }
        var ports: [UInt16: UInt64] = [:]
        for port in tcpBindPorts ?? [] { ports[port, default: 0] |= Self.bindTCP }
        for port in tcpConnectPorts ?? [] { ports[port, default: 0] |= Self.connectTCP }
        for (port, access) in ports.sorted(by: { $0.key < $1.key }) {
            // struct landlock_net_port_attr: u64 allowed_access, u64 port.
            let bytes = Self.bytes(access) + Self.bytes(UInt64(port))
            let result = bytes.withUnsafeBytes { cn_landlock_add_rule(fd, 2 /* LANDLOCK_RULE_NET_PORT */, $0.baseAddress) }
            if result < 0 { throw Self.hostFailure("landlock_add_rule TCP port \(port)", -result) }
        }
        return descriptor
    }

    /// The slot holding the ruleset descriptor in the child.
    package static let slot = StepSlot("landlock.ruleset")

    /// landlock_restrict_self(2) with the ruleset in ``slot``.
    package static func restrictStep(abi: LandlockABI) -> SetupStep {
        .syscall(.landlock, "enforce the Landlock ruleset (\(abi))", LandlockABI.restrictSelf, .slot(slot), .integer(0))
    }

    /// LANDLOCK_ACCESS_NET_BIND_TCP.
    private static let bindTCP: UInt64 = 1 << 0
    /// LANDLOCK_ACCESS_NET_CONNECT_TCP.
    private static let connectTCP: UInt64 = 1 << 1

    private static func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    private static func hostFailure(_ what: String, _ code: Int32) -> CapabilityError {
        CapabilityError(.hostFailure, field: "landlock", "\(what): \(errnoName(code))")
    }
}

/// A Landlock ruleset in the kernel, closed when the last spawn that uses it
/// is done.
package final class LandlockRulesetDescriptor: Sendable {
    /// The ruleset's descriptor (close-on-exec).
    package let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

/// Whether a ruleset the kernel cannot fully enforce is an error.
public struct LandlockCompatibility: Sendable, Hashable {
    private enum Kind: Hashable { case strict, bestEffort }
    private let kind: Kind

    /// Everything must be enforced, or planning throws
    /// ``CapabilityError/Code-swift.struct/landlockUnsupported``.
    public static let strict = LandlockCompatibility(kind: .strict)
    /// Enforce what the kernel can; ``LandlockReport/notEnforced`` lists the rest.
    public static let bestEffort = LandlockCompatibility(kind: .bestEffort)
}

/// What the kernel enforces of a ``LandlockRuleset``.
public struct LandlockReport: Sendable, Hashable, CustomStringConvertible {
    /// The kernel's Landlock ABI.
    public let abi: LandlockABI
    /// What the ruleset asks for that the kernel cannot enforce (empty when
    /// everything is).
    public let notEnforced: [String]
    /// The part of the ruleset that is enforced; nil when nothing is.
    package let ruleset: LandlockRuleset?

    /// True when the whole ruleset is enforced.
    public var isComplete: Bool { notEnforced.isEmpty }

    public var description: String {
        notEnforced.isEmpty ? "\(abi): fully enforced" : "\(abi): not enforced: " + notEnforced.joined(separator: "; ")
    }
}
