import SystemPackage

/// What the sandbox's root directory is before its mounts are added; it
/// becomes "/" with pivot_root(2) and the host's root is detached.
public struct RootFilesystem: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable {
        case host
        case directory(FilePath)
        case overlay(lower: [FilePath], upper: OverlayUpper)
        case tmpfs(TmpfsOptions)
    }
    let kind: Kind

    /// The host's whole mount tree, bound recursively (open_tree(2)
    /// `OPEN_TREE_CLONE | AT_RECURSIVE`). With `readOnlyRoot` every mount of
    /// it is read-only from the start, so nothing the sandbox does reaches
    /// the host's files except through explicit read-write mounts.
    public static let host = RootFilesystem(kind: .host)

    /// A directory holding an unpacked image (a busybox or debootstrap
    /// tree), bound as the root. Missing mount targets are created in it.
    public static func directory(_ path: FilePath) -> RootFilesystem { RootFilesystem(kind: .directory(path)) }

    /// An overlayfs over read-only `lower` directories (the first is the
    /// top); writes go to `upper` and never reach the image.
    public static func overlay(lower: [FilePath], upper: OverlayUpper = .ephemeral()) -> RootFilesystem {
        RootFilesystem(kind: .overlay(lower: lower, upper: upper))
    }

    /// An empty tmpfs(5), assembled only from explicit mounts.
    public static func tmpfs(_ options: TmpfsOptions = TmpfsOptions()) -> RootFilesystem {
        RootFilesystem(kind: .tmpfs(options))
    }

    /// What the root is, for people.
    public var description: String {
        switch kind {
        case .host: "the host's root"
        case .directory(let path): "directory \(path)"
        case .overlay(let lower, _): "overlay of \(lower.map(\.string).joined(separator: ", "))"
        case .tmpfs: "tmpfs"
        }
    }
}
