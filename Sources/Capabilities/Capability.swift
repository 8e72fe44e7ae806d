import CCap
import ContainmentSupport
import Glibc

/// One Linux capability (capabilities(7)): a number from 0 to 63, named like
/// `CAP_NET_BIND_SERVICE`.
///
/// Every capability the kernel headers know (0 through CAP_CHECKPOINT_RESTORE,
/// 40) has a static member; numbers above are kept as they are, for kernels
/// newer than this SDK. Names are parsed and printed with libcap
/// (cap_from_name(3), cap_to_name(3)).
public struct Capability: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The capability's number, 0 to 63.
    public let rawValue: Int

    /// The capability numbered `rawValue`; nil outside 0 to 63, the range a
    /// 64-bit capability set holds.
    public init?(rawValue: Int) {
        guard (0..<64).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(bit: Int) { rawValue = bit }

    /// Parses "CAP_NET_RAW", "cap_net_raw", "net_raw" or a number ("39").
    /// Throws ``CapabilityError/Code-swift.struct/unknownCapability`` for
    /// anything else.
    public init(name: String, field: String = "capability") throws(CapabilityError) {
        if let number = Int(name), let capability = Capability(rawValue: number) {
            self = capability
            return
        }
        let lowered = name.lowercased()
        let canonical = lowered.hasPrefix("cap_") ? lowered : "cap_" + lowered
        var value: cap_value_t = -1
        guard !name.isEmpty, cap_from_name(canonical, &value) == 0, let capability = Capability(rawValue: Int(value)) else {
            throw CapabilityError(.unknownCapability, field: field,
                                  "\"\(name)\" is not a capability name; use a name from capabilities(7) such as CAP_NET_BIND_SERVICE, or its number")
        }
        self = capability
    }

    /// The kernel's name in upper case ("CAP_NET_RAW"), or the number for a
    /// capability libcap does not name.
    public var description: String {
        guard let name = cap_to_name(cap_value_t(rawValue)) else { return String(rawValue) }
        defer { cap_free(name) }
        let text = String(cString: name)
        return text.hasPrefix("cap_") ? text.uppercased() : text
    }

    public static func < (lhs: Capability, rhs: Capability) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The highest capability the running kernel knows
    /// (/proc/sys/kernel/cap_last_cap, read once per process: it is fixed
    /// while the kernel runs); CAP_CHECKPOINT_RESTORE when it cannot be read.
    public static let lastSupported: Capability = {
        let text = (try? readText("/proc/sys/kernel/cap_last_cap")) ?? ""
        return text.split(separator: "\n").first.flatMap { Int($0) }.flatMap(Capability.init(rawValue:)) ?? .checkpointRestore
    }()

    /// CAP_CHOWN (0): change file ownership.
    public static let chown = Capability(bit: 0)
    /// CAP_DAC_OVERRIDE (1): bypass file read, write and execute permission checks.
    public static let dacOverride = Capability(bit: 1)
    /// CAP_DAC_READ_SEARCH (2): bypass file read and directory search permission checks.
    public static let dacReadSearch = Capability(bit: 2)
    /// CAP_FOWNER (3): bypass checks that need the file's owner.
    public static let fileOwner = Capability(bit: 3)
    /// CAP_FSETID (4): keep set-user-ID and set-group-ID bits on modified files.
    public static let fileSetID = Capability(bit: 4)
    /// CAP_KILL (5): send signals to any process.
    public static let kill = Capability(bit: 5)
    /// CAP_SETGID (6): change gids and supplementary groups.
    public static let setGID = Capability(bit: 6)
    /// CAP_SETUID (7): change uids.
    public static let setUID = Capability(bit: 7)
    /// CAP_SETPCAP (8): change the bounding set, securebits and other processes' inheritable capabilities.
    public static let setPCAP = Capability(bit: 8)
    /// CAP_LINUX_IMMUTABLE (9): set the immutable and append-only file attributes.
    public static let linuxImmutable = Capability(bit: 9)
    /// CAP_NET_BIND_SERVICE (10): bind ports below 1024.
    public static let netBindService = Capability(bit: 10)
    /// CAP_NET_BROADCAST (11): broadcast and listen to multicast.
    public static let netBroadcast = Capability(bit: 11)
    /// CAP_NET_ADMIN (12): administer network interfaces, routes and firewalls.
    public static let netAdmin = Capability(bit: 12)
    /// CAP_NET_RAW (13): use raw and packet sockets.
    public static let netRaw = Capability(bit: 13)
    /// CAP_IPC_LOCK (14): lock memory (mlock, SHM_LOCK).
    public static let ipcLock = Capability(bit: 14)
    /// CAP_IPC_OWNER (15): bypass System V IPC permission checks.
    public static let ipcOwner = Capability(bit: 15)
    /// CAP_SYS_MODULE (16): load and unload kernel modules.
    public static let sysModule = Capability(bit: 16)
    /// CAP_SYS_RAWIO (17): raw I/O: iopl, ioperm, /dev/mem.
    public static let sysRawIO = Capability(bit: 17)
    /// CAP_SYS_CHROOT (18): call chroot(2).
    public static let sysChroot = Capability(bit: 18)
    /// CAP_SYS_PTRACE (19): trace any process.
    public static let sysPtrace = Capability(bit: 19)
    /// CAP_SYS_PACCT (20): configure process accounting.
    public static let sysPacct = Capability(bit: 20)
    /// CAP_SYS_ADMIN (21): a wide range of administration: mount, sethostname, setns and more.
    public static let sysAdmin = Capability(bit: 21)
    /// CAP_SYS_BOOT (22): reboot and kexec.
    public static let sysBoot = Capability(bit: 22)
    /// CAP_SYS_NICE (23): raise priorities and set scheduling policies.
    public static let sysNice = Capability(bit: 23)
    /// CAP_SYS_RESOURCE (24): override resource limits and quotas.
    public static let sysResource = Capability(bit: 24)
    /// CAP_SYS_TIME (25): set the system clock.
    public static let sysTime = Capability(bit: 25)
    /// CAP_SYS_TTY_CONFIG (26): configure terminals (vhangup).
    public static let sysTTYConfig = Capability(bit: 26)
    /// CAP_MKNOD (27): create device files.
    public static let mknod = Capability(bit: 27)
    /// CAP_LEASE (28): take file leases.
    public static let lease = Capability(bit: 28)
    /// CAP_AUDIT_WRITE (29): write to the kernel audit log.
    public static let auditWrite = Capability(bit: 29)
    /// CAP_AUDIT_CONTROL (30): configure kernel auditing.
    public static let auditControl = Capability(bit: 30)
    /// CAP_SETFCAP (31): set file capabilities.
    public static let setFCAP = Capability(bit: 31)
    /// CAP_MAC_OVERRIDE (32): override mandatory access control (Smack).
    public static let macOverride = Capability(bit: 32)
    /// CAP_MAC_ADMIN (33): configure mandatory access control.
    public static let macAdmin = Capability(bit: 33)
    /// CAP_SYSLOG (34): privileged syslog(2) operations.
    public static let syslog = Capability(bit: 34)
    /// CAP_WAKE_ALARM (35): trigger wake-up alarms.
    public static let wakeAlarm = Capability(bit: 35)
    /// CAP_BLOCK_SUSPEND (36): prevent system suspend.
    public static let blockSuspend = Capability(bit: 36)
    /// CAP_AUDIT_READ (37): read the audit log over netlink.
    public static let auditRead = Capability(bit: 37)
    /// CAP_PERFMON (38): privileged performance monitoring.
    public static let perfmon = Capability(bit: 38)
    /// CAP_BPF (39): privileged BPF operations.
    public static let bpf = Capability(bit: 39)
    /// CAP_CHECKPOINT_RESTORE (40): checkpoint and restore: set_tid, PR_SET_MM and more.
    public static let checkpointRestore = Capability(bit: 40)
}
