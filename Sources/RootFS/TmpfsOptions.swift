import SystemPackage

/// Options of a tmpfs(5) mount, given to fsconfig(2) as `size`, `mode`,
/// `uid` and `gid`.
public struct TmpfsOptions: Sendable, Hashable {
    /// Size limit in bytes; nil is tmpfs's default of half the RAM.
    public var size: Int?
    /// Permissions of the tmpfs's root directory.
    public var mode: FilePermissions
    /// Owner of the root directory, as seen inside the sandbox; nil keeps the
    /// mounting user (root inside the sandbox).
    public var uid: UInt32?
    /// Group of the root directory, as seen inside the sandbox.
    public var gid: UInt32?
    /// Mount flags.
    public var attributes: MountAttributes

    /// Creates options; the defaults are an unlimited tmpfs, mode 0755, nosuid
    /// and nodev.
    public init(size: Int? = nil, mode: FilePermissions = [.ownerReadWriteExecute, .groupReadExecute, .otherReadExecute],
                uid: UInt32? = nil, gid: UInt32? = nil, attributes: MountAttributes = [.noSuid, .noDev]) {
        self.size = size
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.attributes = attributes
    }

    /// The fsconfig(2) `FSCONFIG_SET_STRING` keys and values.
    var parameters: [(String, String)] {
        var parameters = [("mode", String(mode.rawValue, radix: 8))]
        if let size { parameters.append(("size", String(size))) }
        if let uid { parameters.append(("uid", String(uid))) }
        if let gid { parameters.append(("gid", String(gid))) }
        return parameters
    }
}
