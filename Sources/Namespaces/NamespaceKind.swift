import CContainment
import Glibc

/// One kind of Linux namespace, named as in /proc/PID/ns.
public struct NamespaceKind: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The name of its /proc/PID/ns entry ("mnt", "net", ...).
    public let name: String
    /// The matching clone flag.
    public let flag: NamespaceSet

    private init(_ name: String, _ flag: NamespaceSet) {
        self.name = name
        self.flag = flag
    }

    /// User namespace (/proc/PID/ns/user).
    public static let user = NamespaceKind("user", .user)
    /// Pid namespace (/proc/PID/ns/pid).
    public static let pid = NamespaceKind("pid", .pid)
    /// Mount namespace (/proc/PID/ns/mnt).
    public static let mount = NamespaceKind("mnt", .mount)
    /// UTS namespace (/proc/PID/ns/uts).
    public static let uts = NamespaceKind("uts", .uts)
    /// IPC namespace (/proc/PID/ns/ipc).
    public static let ipc = NamespaceKind("ipc", .ipc)
    /// Network namespace (/proc/PID/ns/net).
    public static let network = NamespaceKind("net", .network)
    /// Cgroup namespace (/proc/PID/ns/cgroup).
    public static let cgroup = NamespaceKind("cgroup", .cgroup)
    /// Time namespace (/proc/PID/ns/time).
    public static let time = NamespaceKind("time", .time)

    /// Every kind, user first: the order in which setns(2) must join them.
    public static let allCases: [NamespaceKind] = [.user, .pid, .mount, .uts, .ipc, .network, .cgroup, .time]

    public var description: String { name }
}
