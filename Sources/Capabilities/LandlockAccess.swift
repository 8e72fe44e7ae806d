/// Filesystem access rights of Landlock (landlock(7), `LANDLOCK_ACCESS_FS_*`
/// in <linux/landlock.h>): what a path rule allows beneath a directory, or
/// on a file.
public struct LandlockAccess: OptionSet, Sendable, Hashable, CustomStringConvertible {
    /// The `LANDLOCK_ACCESS_FS_*` mask.
    public let rawValue: UInt64
    /// Rights from their mask.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// LANDLOCK_ACCESS_FS_EXECUTE: execute a file.
    public static let executeFile = LandlockAccess(rawValue: 1 << 0)
    /// LANDLOCK_ACCESS_FS_WRITE_FILE: open a file for writing.
    public static let writeFile = LandlockAccess(rawValue: 1 << 1)
    /// LANDLOCK_ACCESS_FS_READ_FILE: open a file for reading.
    public static let readFile = LandlockAccess(rawValue: 1 << 2)
    /// LANDLOCK_ACCESS_FS_READ_DIR: open or list a directory.
    public static let readDirectory = LandlockAccess(rawValue: 1 << 3)
    /// LANDLOCK_ACCESS_FS_REMOVE_DIR: remove or rename an empty directory.
    public static let removeDirectory = LandlockAccess(rawValue: 1 << 4)
    /// LANDLOCK_ACCESS_FS_REMOVE_FILE: unlink or rename a file.
    public static let removeFile = LandlockAccess(rawValue: 1 << 5)
    /// LANDLOCK_ACCESS_FS_MAKE_CHAR: create a character device.
    public static let makeCharacterDevice = LandlockAccess(rawValue: 1 << 6)
    /// LANDLOCK_ACCESS_FS_MAKE_DIR: create a directory.
    public static let makeDirectory = LandlockAccess(rawValue: 1 << 7)
    /// LANDLOCK_ACCESS_FS_MAKE_REG: create a regular file.
    public static let makeRegularFile = LandlockAccess(rawValue: 1 << 8)
    /// LANDLOCK_ACCESS_FS_MAKE_SOCK: create a UNIX domain socket.
    public static let makeSocket = LandlockAccess(rawValue: 1 << 9)
    /// LANDLOCK_ACCESS_FS_MAKE_FIFO: create a named pipe.
    public static let makeFIFO = LandlockAccess(rawValue: 1 << 10)
    /// LANDLOCK_ACCESS_FS_MAKE_BLOCK: create a block device.
    public static let makeBlockDevice = LandlockAccess(rawValue: 1 << 11)
    /// LANDLOCK_ACCESS_FS_MAKE_SYM: create a symbolic link.
    public static let makeSymlink = LandlockAccess(rawValue: 1 << 12)
    /// LANDLOCK_ACCESS_FS_REFER: link or rename across directories (ABI 2).
    public static let refer = LandlockAccess(rawValue: 1 << 13)
    /// LANDLOCK_ACCESS_FS_TRUNCATE: truncate a file (ABI 3).
    public static let truncate = LandlockAccess(rawValue: 1 << 14)
    /// LANDLOCK_ACCESS_FS_IOCTL_DEV: ioctl(2) on a device file (ABI 5).
    public static let deviceIOCTL = LandlockAccess(rawValue: 1 << 15)

    /// Read files and list directories.
    public static let read: LandlockAccess = [.readFile, .readDirectory]
    /// Run programs (and read them, as the dynamic loader must).
    public static let execute: LandlockAccess = [.executeFile, .readFile, .readDirectory]
    /// Read, write, create, remove, rename and truncate.
    public static let write: LandlockAccess = LandlockAccess.read.union([
        .writeFile, .removeDirectory, .removeFile, .makeCharacterDevice, .makeDirectory, .makeRegularFile,
        .makeSocket, .makeFIFO, .makeBlockDevice, .makeSymlink, .refer, .truncate, .deviceIOCTL,
    ])
    /// Every right this SDK knows.
    public static let all: LandlockAccess = LandlockAccess.write.union(.executeFile)
    /// The rights that apply to a file (not a directory).
    public static let fileRights: LandlockAccess = [.executeFile, .writeFile, .readFile, .truncate, .deviceIOCTL]

    /// The C names without prefix, "|"-separated ("READ_FILE|READ_DIR").
    public var description: String {
        let names = ["EXECUTE", "WRITE_FILE", "READ_FILE", "READ_DIR", "REMOVE_DIR", "REMOVE_FILE", "MAKE_CHAR",
                     "MAKE_DIR", "MAKE_REG", "MAKE_SOCK", "MAKE_FIFO", "MAKE_BLOCK", "MAKE_SYM", "REFER",
                     "TRUNCATE", "IOCTL_DEV"]
        let set = names.indices.filter { rawValue & (1 << UInt64($0)) != 0 }.map { names[$0] }
        return set.isEmpty ? "none" : set.joined(separator: "|")
    }
}

/// IPC scopes of Landlock (`LANDLOCK_SCOPE_*`, ABI 6): communication with
/// processes outside the sandbox's Landlock domain that is denied.
public struct LandlockScope: OptionSet, Sendable, Hashable {
    /// The `LANDLOCK_SCOPE_*` mask.
    public let rawValue: UInt64
    /// Scopes from their mask.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET: connecting to abstract UNIX
    /// sockets created outside the domain.
    public static let abstractUnixSocket = LandlockScope(rawValue: 1 << 0)
    /// LANDLOCK_SCOPE_SIGNAL: signalling processes outside the domain.
    public static let signal = LandlockScope(rawValue: 1 << 1)
}
