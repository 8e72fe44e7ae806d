import Glibc

/// Constants and argument structures of the new mount API and openat2(2)
/// that Swift cannot import from linux/mount.h and linux/openat2.h (they
/// clash with glibc's sys/mount.h).
enum KernelMountAPI {
    /// `OPEN_TREE_CLONE`: open_tree(2) returns a detached copy of the tree.
    static let openTreeClone = 1
    /// `AT_RECURSIVE`: apply to the whole subtree.
    static let atRecursive = 0x8000
    /// `AT_EMPTY_PATH`: operate on the descriptor itself.
    static let atEmptyPath = 0x1000
    /// `MOVE_MOUNT_F_EMPTY_PATH`: the source is the descriptor itself.
    static let moveFromEmptyPath = 0x04
    /// `MOVE_MOUNT_T_EMPTY_PATH`: the target is the descriptor itself.
    static let moveToEmptyPath = 0x40
    /// `FSOPEN_CLOEXEC`.
    static let fsopenCloexec = 1
    /// `FSMOUNT_CLOEXEC`.
    static let fsmountCloexec = 1
    /// `FSCONFIG_SET_FLAG`, `FSCONFIG_SET_STRING`, `FSCONFIG_SET_FD`, `FSCONFIG_CMD_CREATE`.
    static let setFlag = 0, setString = 1, setDescriptor = 5, create = 6
    /// `RESOLVE_NO_MAGICLINKS`.
    static let resolveNoMagicLinks: UInt64 = 0x02
    /// `RESOLVE_IN_ROOT`: resolve as if the directory were the root.
    static let resolveInRoot: UInt64 = 0x10
    /// `MS_REC | MS_PRIVATE` for mount(2).
    static let recursivePrivate = 0x4000 | 0x40000
    /// `O_PATH` for open(2): a descriptor that only names a place.
    static let openPath: Int32 = 0o10000000
    /// `MNT_DETACH` for umount2(2).
    static let detach = 2

    /// `struct open_how` (flags, mode, resolve): openat2(2)'s argument.
    static func openHow(flags: Int32, mode: UInt32 = 0) -> [UInt8] {
        words([UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), UInt64(mode), resolveInRoot | resolveNoMagicLinks])
    }

    /// `struct mount_attr` (attr_set, attr_clr, propagation, userns_fd), 32 bytes.
    static func mountAttr(set: MountAttributes) -> [UInt8] { words([set.rawValue, 0, 0, 0]) }

    private static func words(_ values: [UInt64]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value) { Array($0) } }
    }
}
