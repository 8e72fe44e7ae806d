import SystemPackage

/// An existing namespace for the sandbox to enter with setns(2) instead of
/// creating a new one of that kind.
public struct NamespaceJoin: Sendable, Hashable, CustomStringConvertible {
    /// The kind of namespace.
    public var kind: NamespaceKind
    /// A file that refers to it: /proc/PID/ns/KIND or a bind mount of one.
    public var path: FilePath

    /// Joins the namespace `path` refers to.
    public init(_ kind: NamespaceKind, path: FilePath) {
        self.kind = kind
        self.path = path
    }

    /// Joins the namespace of `kind` that process `pid` is in.
    public static func process(_ pid: Int32, _ kind: NamespaceKind) -> NamespaceJoin {
        NamespaceJoin(kind, path: FilePath("/proc/\(pid)/ns/\(kind.name)"))
    }

    public var description: String { "\(kind.name) of \(path)" }
}
