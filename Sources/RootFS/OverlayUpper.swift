import SystemPackage

/// Where an overlay's writes go (overlayfs `upperdir` and `workdir`).
public struct OverlayUpper: Sendable, Hashable {
    enum Kind: Hashable {
        case ephemeral(size: Int?)
        case directory(upper: FilePath, work: FilePath)
    }
    let kind: Kind

    /// A fresh tmpfs of the sandbox's own, gone when the sandbox's mount
    /// namespace ends: copy-on-write provisioning of many sandboxes from one
    /// image. `size` caps it in bytes (tmpfs `size`); nil lets it grow to half
    /// the RAM, tmpfs's default. Passed to overlayfs by descriptor
    /// (fsconfig(2) `FSCONFIG_SET_FD`, Linux 6.13 or later).
    public static func ephemeral(size: Int? = nil) -> OverlayUpper { OverlayUpper(kind: .ephemeral(size: size)) }

    /// Host directories that keep the writes: `upper` receives them, `work`
    /// is overlayfs's scratch directory on the same filesystem. Both must
    /// exist; one work directory serves one mounted overlay at a time.
    public static func directory(_ upper: FilePath, work: FilePath) -> OverlayUpper {
        OverlayUpper(kind: .directory(upper: upper, work: work))
    }
}
