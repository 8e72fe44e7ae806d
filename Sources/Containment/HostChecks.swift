import CContainment
import ContainmentSupport
import Glibc

/// The preflight's items that read the host's settings rather than spawn.
extension Host {
    /// A sysctl under /proc/sys, trimmed; nil when this kernel has none.
    private static func sysctl(_ name: String) -> String? {
        (try? readText("/proc/sys/" + name))?.trimmingWhitespace
    }

    /// max_user_namespaces, Debian's kernel.unprivileged_userns_clone and
    /// Ubuntu's kernel.apparmor_restrict_unprivileged_userns, judged for
    /// this process (root is not restricted by the last two).
    static func userNamespaceSysctlsItem() -> HostReport.Item {
        let isRoot = geteuid() == 0
        let maximum = sysctl("user/max_user_namespaces").flatMap { Int($0) }
        let clone = sysctl("kernel/unprivileged_userns_clone")
        let apparmor = sysctl("kernel/apparmor_restrict_unprivileged_userns")
        var found = ["user.max_user_namespaces \(maximum.map(String.init) ?? "absent")"]
        found.append("kernel.unprivileged_userns_clone \(clone ?? "absent")")
        found.append("kernel.apparmor_restrict_unprivileged_userns \(apparmor ?? "absent")")
        var problems: [String] = []
        if maximum == 0 {
            problems.append("set user.max_user_namespaces to a positive number (sysctl -w user.max_user_namespaces=15000)")
        }
        if !isRoot && clone == "0" {
            problems.append("set kernel.unprivileged_userns_clone=1 (Debian's switch for unprivileged user namespaces)")
        }
        if !isRoot && apparmor == "1" {
            problems.append("set kernel.apparmor_restrict_unprivileged_userns=0, or give the program an AppArmor profile with the userns permission (Ubuntu 23.10 and later)")
        }
        let who = isRoot ? "root is not restricted by the unprivileged switches" : "this unprivileged process may create user namespaces"
        return HostReport.Item("user namespace sysctls", supported: problems.isEmpty,
                               detail: found.joined(separator: "; ") + (problems.isEmpty ? " — \(who)" : ""),
                               remedy: problems.joined(separator: "; "))
    }

    /// The cgroup layout, the controllers sandbox limits can use, and
    /// whether this process may create a sandbox cgroup.
    static func cgroupItems() -> [HostReport.Item] {
        let preflight: CgroupPreflight
        do {
            preflight = try CgroupPreflight()
        } catch {
            let remedy = "mount cgroup2 on /sys/fs/cgroup (or the v1 controllers) and /proc"
            return ["cgroup hierarchy", "cgroup controllers", "cgroup delegation"].map {
                HostReport.Item($0, supported: false, detail: error.description, remedy: remedy)
            }
        }
        let host = preflight.host
        let legacy = host.legacyControllers.map(\.rawValue).filter { !$0.hasPrefix("name=") }.sorted().joined(separator: ", ")
        let unified = host.unifiedMountPoint.map { "cgroup2 at \($0)" } ?? ""
        let shape: String
        switch host.shape {
        case .unified: shape = "unified: \(unified) (limits, CLONE_INTO_CGROUP, cgroup.kill)"
        case .legacy: shape = "legacy: v1 controllers \(legacy); no cgroup2, so processes are attached by pid and killed one by one"
        default: shape = "hybrid: v1 controllers \(legacy) enforce limits; \(unified) gives membership, freezing and cgroup.kill"
        }
        let shapeItem = HostReport.Item("cgroup hierarchy", supported: true, detail: shape)

        let available = preflight.available.map { "\($0.controller) (\($0.hierarchy))" }.joined(separator: ", ")
        let essential: [CgroupController] = [.memory, .cpu, .pids]
        let missingEssential = essential.filter(preflight.missing.contains)
        let missing = preflight.missing.isEmpty ? "" : "; unavailable: " + preflight.missing.map(\.rawValue).joined(separator: ", ")
        let controllersItem = HostReport.Item(
            "cgroup controllers", supported: missingEssential.isEmpty,
            detail: (available.isEmpty ? "none available" : available) + missing,
            remedy: "enable \(missingEssential.map(\.rawValue).joined(separator: ", ")) for the sandbox's parent cgroup: on cgroup2 write \"+memory +cpu +pids\" to its parent's cgroup.subtree_control (systemd: Delegate=yes); on v1 mount the controller")

        let denied = preflight.parents.filter { !$0.writable }.map(\.directory)
        let places = preflight.parents.map(\.directory).joined(separator: ", ")
        let delegationItem: HostReport.Item
        if preflight.parents.isEmpty {
            delegationItem = HostReport.Item("cgroup delegation", supported: false, detail: "no parent cgroup directory found",
                                             remedy: "mount the cgroup file systems")
        } else if denied.isEmpty {
            delegationItem = HostReport.Item("cgroup delegation", supported: true,
                                             detail: "this process may create sandbox cgroups under \(places)")
        } else {
            let remedy = geteuid() == 0
                ? "the cgroup file system is read-only here; remount it read-write or run on the host, not in a container"
                : "run as root, or delegate a cgroup to this user (systemd-run --user -p Delegate=yes, or chown a cgroup directory and its cgroup.procs and cgroup.subtree_control; on v1 chown each controller's directory) and set ResourceLimits.parent (sandbox-run --cgroup-parent) to it"
            delegationItem = HostReport.Item("cgroup delegation", supported: false,
                                             detail: "cannot create cgroups in \(denied.joined(separator: ", ")) (\(errnoName(EACCES)) for uid \(geteuid()))",
                                             remedy: remedy)
        }
        return [shapeItem, controllersItem, delegationItem]
    }

    /// `SECCOMP_RET_*` actions the preflight asks the kernel about.
    private static let seccompActions: [(String, UInt32)] = [
        ("kill_process", 0x8000_0000), ("kill_thread", 0), ("trap", 0x0003_0000), ("errno", 0x0005_0000),
        ("user_notif", 0x7fc0_0000), ("trace", 0x7ff0_0000), ("log", 0x7ffc_0000), ("allow", 0x7fff_0000),
    ]

    /// Seccomp filter mode and the filter actions the kernel knows.
    static func seccompItem() -> HostReport.Item {
        let mode = cn_seccomp_mode()
        let remedy = "a kernel with CONFIG_SECCOMP_FILTER (Linux 3.5 or later) is needed"
        guard mode >= 0 else {
            return HostReport.Item("seccomp", supported: false, detail: "prctl(PR_GET_SECCOMP): \(errnoName(-mode))", remedy: remedy)
        }
        let actions = seccompActions.filter { cn_seccomp_action_available($0.1) == 0 }.map(\.0)
        let filters = actions.contains("kill_process") && actions.contains("errno")
        let own = mode == 2 ? "this process is already filtered (sandboxes inherit that filter too)" : "this process is unfiltered"
        return HostReport.Item("seccomp", supported: filters,
                               detail: "filters with actions \(actions.joined(separator: ", ")); \(own)",
                               remedy: "SECCOMP_RET_KILL_PROCESS needs Linux 4.14 or later; " + remedy)
    }

    /// Seccomp user notification (SECCOMP_RET_USER_NOTIF), which supervised
    /// filters and notify rules use.
    static func seccompNotificationItem() -> HostReport.Item {
        var sizes: [UInt16] = [0, 0, 0]
        let result = cn_seccomp_notification_sizes(&sizes)
        let action = cn_seccomp_action_available(0x7fc0_0000)
        let supported = result == 0 && action == 0
        let detail = supported
            ? "SECCOMP_GET_NOTIF_SIZES answers (seccomp_notif \(sizes[0]) bytes, response \(sizes[1]), data \(sizes[2])); SECCOMP_RET_USER_NOTIF available"
            : "SECCOMP_GET_NOTIF_SIZES: \(result == 0 ? "ok" : errnoName(-result)); SECCOMP_RET_USER_NOTIF: \(action == 0 ? "ok" : errnoName(-action))"
        return HostReport.Item("seccomp user notification", supported: supported, detail: detail,
                               remedy: "Linux 5.0 or later is needed for notify rules and seccomp-violation verdicts naming the call")
    }

    /// The Landlock ABI and what it restricts.
    static func landlockItem() -> HostReport.Item {
        let abi = LandlockABI.current
        var features = ["filesystem rules"]
        if abi.rawValue >= 2 { features.append("cross-directory links (refer)") }
        if abi.rawValue >= 3 { features.append("truncate") }
        if abi >= .tcp { features.append("TCP bind and connect ports") }
        if abi.rawValue >= 5 { features.append("device ioctl") }
        if abi >= .scopes { features.append("IPC scopes") }
        return HostReport.Item("Landlock", supported: abi > .unsupported,
                               detail: abi > .unsupported ? "\(abi): \(features.joined(separator: ", "))" : "no Landlock",
                               remedy: "Linux 5.13 or later with landlock in the active LSMs (CONFIG_LSM or the lsm= boot parameter)")
    }

    /// Idmapped mounts (mount_setattr(2) with MOUNT_ATTR_IDMAP), detected
    /// by the system call's presence and the kernel version each file
    /// system gained support in.
    static func idmappedMountsItem() -> HostReport.Item {
        let probe = cn_mount_setattr_probe()
        let present = probe != -ENOSYS
        let filesystems: [(String, Int, Int)] = [("ext4", 5, 12), ("xfs", 5, 12), ("vfat", 5, 12), ("btrfs", 5, 15),
                                                 ("overlay", 5, 19), ("tmpfs", 6, 3)]
        let supported = filesystems.filter { kernelAtLeast($0.1, $0.2) }.map(\.0)
        let version = kernelVersion.map(String.init).joined(separator: ".")
        return HostReport.Item("idmapped mounts", supported: present && kernelAtLeast(5, 12),
                               detail: present ? "mount_setattr(2) with MOUNT_ATTR_IDMAP on Linux \(version): \(supported.joined(separator: ", "))"
                                               : "no mount_setattr(2) system call",
                               remedy: "Linux 5.12 or later is needed (tmpfs 6.3, overlay 5.19)")
    }
}
