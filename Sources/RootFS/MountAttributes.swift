/// Per-mount flags, set with mount_setattr(2) or fsmount(2) (`MOUNT_ATTR_*`
/// of linux/mount.h).
public struct MountAttributes: OptionSet, Sendable, Hashable {
    /// The `MOUNT_ATTR_*` bits.
    public let rawValue: UInt64
    /// Creates attributes from `MOUNT_ATTR_*` bits.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The mount is read-only (`MOUNT_ATTR_RDONLY`); writes fail with EROFS.
    public static let readOnly = MountAttributes(rawValue: 0x1)
    /// set-user-ID and set-group-ID bits are ignored (`MOUNT_ATTR_NOSUID`).
    public static let noSuid = MountAttributes(rawValue: 0x2)
    /// Device nodes cannot be opened (`MOUNT_ATTR_NODEV`).
    public static let noDev = MountAttributes(rawValue: 0x4)
    /// Programs cannot be executed (`MOUNT_ATTR_NOEXEC`).
    public static let noExec = MountAttributes(rawValue: 0x8)
    /// Access times are not updated (`MOUNT_ATTR_NOATIME`).
    public static let noAccessTime = MountAttributes(rawValue: 0x10)
    /// Symbolic links are not followed in path lookups (`MOUNT_ATTR_NOSYMFOLLOW`).
    public static let noSymlinkFollow = MountAttributes(rawValue: 0x200000)

    /// nosuid, nodev and noexec: what a mount of data (not programs) wants.
    public static let restrictive: MountAttributes = [.noSuid, .noDev, .noExec]
}
