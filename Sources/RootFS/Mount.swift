import SystemPackage

/// One thing placed in the sandbox's filesystem: a mount, a directory, a
/// symbolic link or a file. Targets are absolute paths inside the sandbox's
/// root, resolved there without following a symbolic link out of it
/// (openat2(2) `RESOLVE_IN_ROOT`); missing directories on the way are
/// created. Directories, links, files and mount points are made in the root
/// itself: on a `.directory` root that is the image directory, so use a
/// tmpfs or overlay root (`.copyOnWrite`) to keep an image unchanged.
public struct Mount: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable {
        case bind(source: FilePath, attributes: MountAttributes, recursive: Bool)
        case tmpfs(TmpfsOptions)
        case proc
        case sysfs
        case minimalDevices
        case mqueue
        case overlay(lower: [FilePath], upper: OverlayUpper, attributes: MountAttributes)
        case symlink(String)
        case directory(FilePermissions)
        case file([UInt8], FilePermissions)
    }
    let kind: Kind
    /// Where it goes, inside the sandbox.
    public let target: FilePath

    /// A bind mount of the host's `source` (open_tree(2) `OPEN_TREE_CLONE`).
    /// The source must exist when the sandbox is planned; a file gets a file
    /// target, a directory a directory. `recursive` takes the mounts below
    /// `source` along (`AT_RECURSIVE`; inside a user namespace a source with
    /// mounts below it can only be bound recursively).
    public static func bind(_ source: FilePath, to target: FilePath, attributes: MountAttributes = [.readOnly, .noSuid, .noDev],
                            recursive: Bool = true) -> Mount {
        Mount(kind: .bind(source: source, attributes: attributes, recursive: recursive), target: target)
    }

    /// A fresh tmpfs(5).
    public static func tmpfs(at target: FilePath, _ options: TmpfsOptions = TmpfsOptions()) -> Mount {
        Mount(kind: .tmpfs(options), target: target)
    }

    /// A tmpfs(5) of at most `size` bytes with root directory mode `mode`.
    public static func tmpfs(at target: FilePath, size: Int?, mode: FilePermissions) -> Mount {
        tmpfs(at: target, TmpfsOptions(size: size, mode: mode))
    }

    /// A fresh proc(5) showing the sandbox's pid namespace; nosuid, nodev,
    /// noexec. Inside a user namespace it needs a new pid namespace.
    public static func proc(at target: FilePath = "/proc") -> Mount { Mount(kind: .proc, target: target) }

    /// A read-only sysfs(5) of the sandbox's network namespace. Inside a user
    /// namespace it needs a new network namespace.
    public static func sysfs(at target: FilePath = "/sys") -> Mount { Mount(kind: .sysfs, target: target) }

    /// A minimal /dev: a small tmpfs with null, zero, full, random, urandom
    /// and tty bound from the host, a devpts(5) instance of its own
    /// (`newinstance`, `ptmxmode=0666`) with ptmx linked to it, a tmpfs
    /// /dev/shm, and the fd, stdin, stdout and stderr links. Works inside an
    /// unprivileged user namespace.
    public static func minimalDevices(at target: FilePath = "/dev") -> Mount {
        Mount(kind: .minimalDevices, target: target)
    }

    /// A POSIX message queue filesystem, mq_overview(7), of the sandbox's IPC
    /// namespace. Inside a user namespace it needs a new IPC namespace.
    public static func mqueue(at target: FilePath = "/dev/mqueue") -> Mount { Mount(kind: .mqueue, target: target) }

    /// An overlayfs: read-only `lower` host directories (the first is the
    /// top) merged under `upper`, which receives every write.
    public static func overlay(lower: [FilePath], upper: OverlayUpper = .ephemeral(), at target: FilePath,
                               attributes: MountAttributes = [.noSuid, .noDev]) -> Mount {
        Mount(kind: .overlay(lower: lower, upper: upper, attributes: attributes), target: target)
    }

    /// A symbolic link at `target` with `contents` (symlinkat(2)), resolved
    /// inside the sandbox when followed.
    public static func symlink(_ contents: String, at target: FilePath) -> Mount {
        Mount(kind: .symlink(contents), target: target)
    }

    /// A directory (mkdirat(2)); an existing one is kept as is.
    public static func directory(_ target: FilePath, mode: FilePermissions = [.ownerReadWriteExecute, .groupReadExecute, .otherReadExecute]) -> Mount {
        Mount(kind: .directory(mode), target: target)
    }

    /// A file with `contents`, created or replaced, e.g. /etc/hosts.
    public static func file(_ target: FilePath, contents: [UInt8], mode: FilePermissions = [.ownerReadWrite, .groupRead, .otherRead]) -> Mount {
        Mount(kind: .file(contents, mode), target: target)
    }

    /// A file with UTF-8 `contents`, e.g. an /etc/passwd entry for the sandbox user.
    public static func file(_ target: FilePath, contents: String, mode: FilePermissions = [.ownerReadWrite, .groupRead, .otherRead]) -> Mount {
        file(target, contents: Array(contents.utf8), mode: mode)
    }

    /// What the mount is, for people: "bind /data -> /mnt/data".
    public var description: String {
        switch kind {
        case .bind(let source, _, _): "bind \(source) -> \(target)"
        case .tmpfs: "tmpfs on \(target)"
        case .proc: "proc on \(target)"
        case .sysfs: "sysfs on \(target)"
        case .minimalDevices: "minimal devices on \(target)"
        case .mqueue: "mqueue on \(target)"
        case .overlay: "overlay on \(target)"
        case .symlink(let contents): "symlink \(target) -> \(contents)"
        case .directory: "directory \(target)"
        case .file: "file \(target)"
        }
    }
}
