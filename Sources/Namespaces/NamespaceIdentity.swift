import Glibc
import SystemPackage

/// The identity of a namespace: the device and inode of its nsfs file, as
/// stat(2) of /proc/PID/ns/KIND reports them. Two processes share a namespace
/// exactly when these are equal.
public struct NamespaceIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The kind of namespace.
    public var kind: NamespaceKind
    /// `st_dev` of the nsfs file.
    public var device: UInt64
    /// `st_ino` of the nsfs file: the number `readlink` shows, as in "net:[4026531840]".
    public var inode: UInt64

    /// Reads the identity of `pid`'s namespace of `kind` (0: the calling
    /// process) from /proc/PID/ns.
    public init(of kind: NamespaceKind, pid: Int32 = 0) throws(Errno) {
        let process = pid == 0 ? "self" : String(pid)
        var info = stat()
        try retryingStat("/proc/\(process)/ns/\(kind.name)", &info)
        self.kind = kind
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
    }

    /// "net:[4026531840]", as readlink(2) of the nsfs file shows it.
    public var description: String { "\(kind.name):[\(inode)]" }

    /// The identities of every kind for `pid` (0: the calling process); kinds
    /// the kernel does not have are left out.
    public static func all(pid: Int32 = 0) -> [NamespaceKind: NamespaceIdentity] {
        var result: [NamespaceKind: NamespaceIdentity] = [:]
        for kind in NamespaceKind.allCases {
            result[kind] = try? NamespaceIdentity(of: kind, pid: pid)
        }
        return result
    }
}

private func retryingStat(_ path: String, _ info: inout stat) throws(Errno) {
    if stat(path, &info) != 0 { throw Errno(rawValue: errno) }
}
