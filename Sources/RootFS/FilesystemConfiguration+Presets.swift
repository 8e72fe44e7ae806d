import SystemPackage

extension FilesystemConfiguration {
    /// Scratch space every user may write: a tmpfs of mode 1777, nosuid, nodev.
    static func scratch(at path: FilePath) -> Mount {
        .tmpfs(at: path, TmpfsOptions(mode: FilePermissions(rawValue: 0o1777)))
    }

    /// "Run this tool safely": the host's whole filesystem read-only, a
    /// fresh /proc, a minimal /dev and private writable /tmp and /var/tmp
    /// that vanish with the sandbox. Needs a pid namespace (proc).
    public static var hostReadOnly: FilesystemConfiguration {
        FilesystemConfiguration(root: .host, readOnlyRoot: true,
                                mounts: [.proc(), .minimalDevices(), scratch(at: "/tmp"), scratch(at: "/var/tmp")])
    }

    /// An unpacked image (a busybox or debootstrap tree) as the root, with a
    /// fresh /proc, a minimal /dev and a private /tmp; nothing else of the
    /// host is visible. Missing /proc, /dev and /tmp directories are created
    /// in the image once; the root is then read-only unless `readOnly` is false.
    public static func image(_ directory: FilePath, readOnly: Bool = true) -> FilesystemConfiguration {
        FilesystemConfiguration(root: .directory(directory), readOnlyRoot: readOnly,
                                mounts: [.proc(), .minimalDevices(), scratch(at: "/tmp")])
    }

    /// Copy-on-write provisioning: `image` as the read-only lower layer of an
    /// overlay root whose writes go to `upper` (by default a tmpfs gone when
    /// the sandbox ends), with a fresh /proc, a minimal /dev and a private
    /// /tmp. Many sandboxes can share one image; it never changes.
    public static func copyOnWrite(of image: FilePath, upper: OverlayUpper = .ephemeral()) -> FilesystemConfiguration {
        FilesystemConfiguration(root: .overlay(lower: [image], upper: upper),
                                mounts: [.proc(), .minimalDevices(), scratch(at: "/tmp")])
    }
}
