import CContainment
import Glibc

/// A set of namespace kinds, as the `CLONE_NEW*` flags of clone3(2).
public struct NamespaceSet: OptionSet, Sendable, Hashable, CustomStringConvertible {
    /// The `CLONE_NEW*` bits.
    public let rawValue: UInt64
    /// Creates a set from `CLONE_NEW*` bits.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// A user namespace (`CLONE_NEWUSER`): own uid/gid maps and capabilities.
    public static let user = NamespaceSet(rawValue: UInt64(CLONE_NEWUSER))
    /// A pid namespace (`CLONE_NEWPID`): the sandbox's processes start at pid 1.
    public static let pid = NamespaceSet(rawValue: UInt64(CLONE_NEWPID))
    /// A mount namespace (`CLONE_NEWNS`): a private mount table.
    public static let mount = NamespaceSet(rawValue: UInt64(CLONE_NEWNS))
    /// A UTS namespace (`CLONE_NEWUTS`): own hostname and NIS domain name.
    public static let uts = NamespaceSet(rawValue: UInt64(CLONE_NEWUTS))
    /// An IPC namespace (`CLONE_NEWIPC`): own System V IPC and POSIX queues.
    public static let ipc = NamespaceSet(rawValue: UInt64(CLONE_NEWIPC))
    /// A network namespace (`CLONE_NEWNET`): own interfaces, routes, sockets.
    public static let network = NamespaceSet(rawValue: UInt64(CLONE_NEWNET))
    /// A cgroup namespace (`CLONE_NEWCGROUP`): the sandbox's cgroup is its root.
    public static let cgroup = NamespaceSet(rawValue: UInt64(CLONE_NEWCGROUP))
    /// A time namespace (`CLONE_NEWTIME`): own CLOCK_MONOTONIC and
    /// CLOCK_BOOTTIME offsets. Created only when asked for, as it is the one
    /// kind most payloads never need.
    public static let time = NamespaceSet(rawValue: UInt64(CLONE_NEWTIME))

    /// The seven kinds a container gets: user, pid, mount, uts, ipc, network
    /// and cgroup (not time).
    public static let all: NamespaceSet = [.user, .pid, .mount, .uts, .ipc, .network, .cgroup]

    /// The kinds in this set, in the order `NamespaceKind.allCases` lists them.
    public var kinds: [NamespaceKind] { NamespaceKind.allCases.filter { contains($0.flag) } }

    /// Short names, e.g. "[user, pid, mnt]".
    public var description: String { "[" + kinds.map(\.name).joined(separator: ", ") + "]" }
}
