import ContainmentSupport
import Glibc
import Synchronization

/// How cgroups are mounted on this host and where the calling process sits,
/// read from /proc/self/mountinfo and /proc/self/cgroup.
public struct CgroupHost: Sendable, Hashable {
    /// The host's cgroup layout.
    public struct Shape: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Only the cgroup2 hierarchy (modern distributions).
        public static let unified = Shape(rawValue: "unified")
        /// Only v1 controller hierarchies (older hosts).
        public static let legacy = Shape(rawValue: "legacy")
        /// v1 controllers plus a cgroup2 hierarchy, which may hold no controllers.
        public static let hybrid = Shape(rawValue: "hybrid")
    }

    /// A v1 hierarchy: where it is mounted and where the calling process is in it.
    struct LegacyHierarchy: Sendable, Hashable {
        /// Mount point, e.g. /sys/fs/cgroup/memory.
        var mountPoint: String
        /// The mount's root inside the hierarchy (not "/" inside containers).
        var mountRoot: String
        /// The calling process's cgroup in the hierarchy.
        var ownPath: String
    }

    /// The layout.
    public let shape: Shape
    /// Mount point of the cgroup2 hierarchy, if mounted.
    public let unifiedMountPoint: String?
    let unifiedMountRoot: String
    /// The calling process's cgroup in the cgroup2 hierarchy ("/" at its root).
    public let unifiedOwnPath: String?
    let legacy: [CgroupController: LegacyHierarchy]

    /// v1 controllers mounted on this host.
    public var legacyControllers: Set<CgroupController> { Set(legacy.keys) }

    private static let cached = Mutex<CgroupHost?>(nil)

    /// The host's layout (detected once per process).
    public static func current() throws(CgroupError) -> CgroupHost {
        if let host = cached.withLock({ $0 }) { return host }
        let mountInfo: String, own: String
        do {
            mountInfo = try readText("/proc/self/mountinfo")
            own = try readText("/proc/self/cgroup")
        } catch {
            throw CgroupError(.noCgroupFileSystem, field: "host", "cannot read /proc/self/mountinfo or /proc/self/cgroup: \(errnoName(error.rawValue)); mount /proc")
        }
        let host = try CgroupHost(mountInfo: mountInfo, processCgroups: own)
        cached.withLock { $0 = host }
        return host
    }

    /// `host`, or the current host's layout when nil.
    static func resolve(_ host: CgroupHost?) throws(CgroupError) -> CgroupHost {
        if let host { return host }
        return try current()
    }

    /// Parses a mountinfo table and a /proc/<pid>/cgroup file.
    package init(mountInfo: String, processCgroups: String) throws(CgroupError) {
        var unifiedMount: (point: String, root: String)?
        var mounts: [CgroupController: (point: String, root: String)] = [:]
        for line in mountInfo.split(separator: "\n") {
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2 else { continue }
            let fields = halves[0].split(separator: " ")
            let tail = halves[1].split(separator: " ")
            guard fields.count >= 5, tail.count >= 3 else { continue }
            let root = Self.unescape(fields[3]), point = Self.unescape(fields[4])
            if tail[0] == "cgroup2" {
                if unifiedMount == nil { unifiedMount = (point, root) }
            } else if tail[0] == "cgroup" {
                for option in tail[2].split(separator: ",") {
                    let controller = CgroupController(rawValue: option == "blkio" ? "io" : String(option))
                    if mounts[controller] == nil { mounts[controller] = (point, root) }
                }
            }
        }
        var unifiedOwn: String?
        var legacyOwn: [CgroupController: String] = [:]
        for line in processCgroups.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                unifiedOwn = String(fields[2])
            } else {
                for name in fields[1].split(separator: ",") {
                    legacyOwn[CgroupController(rawValue: name == "blkio" ? "io" : String(name))] = String(fields[2])
                }
            }
        }
        var legacy: [CgroupController: LegacyHierarchy] = [:]
        for (controller, mount) in mounts {
            guard let own = legacyOwn[controller] else { continue }
            legacy[controller] = LegacyHierarchy(mountPoint: mount.point, mountRoot: mount.root, ownPath: own)
        }
        if unifiedMount == nil && legacy.isEmpty {
            throw CgroupError(.noCgroupFileSystem, field: "host", "no cgroup2 or cgroup v1 file system is mounted; mount cgroup2 on /sys/fs/cgroup")
        }
        self.unifiedMountPoint = unifiedOwn == nil ? nil : unifiedMount?.point
        self.unifiedMountRoot = unifiedMount?.root ?? "/"
        self.unifiedOwnPath = unifiedMountPoint == nil ? nil : unifiedOwn
        self.legacy = legacy
        self.shape = legacy.isEmpty ? .unified : (unifiedMountPoint == nil ? .legacy : .hybrid)
    }

    /// The directory of cgroup `path` (a path inside the hierarchy) in the
    /// cgroup2 mount, or nil without one.
    func unifiedDirectory(_ path: String) -> String? {
        unifiedMountPoint.map { Self.directory(mountPoint: $0, mountRoot: unifiedMountRoot, path: path) }
    }

    /// The directory of cgroup `path` in `controller`'s v1 mount.
    func legacyDirectory(_ controller: CgroupController, _ path: String) -> String? {
        legacy[controller].map { Self.directory(mountPoint: $0.mountPoint, mountRoot: $0.mountRoot, path: path) }
    }

    /// The parent path in each hierarchy: the configured one or the caller's own.
    func parentPath(_ configured: String?, controller: CgroupController?) -> String? {
        if let configured { return configured }
        guard let controller else { return unifiedOwnPath }
        return legacy[controller]?.ownPath
    }

    private static func directory(mountPoint: String, mountRoot: String, path: String) -> String {
        var relative = path
        if mountRoot != "/" && relative.hasPrefix(mountRoot) { relative.removeFirst(mountRoot.count) }
        let trimmed = relative.split(separator: "/").joined(separator: "/")
        return trimmed.isEmpty ? mountPoint : mountPoint + "/" + trimmed
    }

    /// Decodes mountinfo's octal escapes (\040 for a space).
    private static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3, let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8.removeFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
