import ContainmentSupport
import Glibc

/// Causes and remedies for host refusals, read from the host's settings.
enum HostDiagnosis {
    /// Why clone3 with `namespaces` failed with `errno`, and what to do.
    static func cloneRemedy(errno code: Int32, namespaces: NamespaceSet) -> String? {
        switch code {
        case EPERM where namespaces.contains(.user):
            if sysctl("kernel/unprivileged_userns_clone") == "0" {
                return "unprivileged user namespaces are disabled; set kernel.unprivileged_userns_clone=1"
            }
            if sysctl("kernel/apparmor_restrict_unprivileged_userns") == "1" {
                return "user namespaces are restricted on this host (AppArmor); set kernel.apparmor_restrict_unprivileged_userns=0 or give the program an AppArmor profile that allows userns"
            }
            return "the kernel refused a new user namespace (a seccomp filter or LSM of the host may forbid it)"
        case EPERM:
            return "creating namespaces needs CAP_SYS_ADMIN; add .user to namespaces to run unprivileged, or run as root"
        case ENOSPC:
            return "a namespace limit is reached; raise /proc/sys/user/max_user_namespaces (or the max_*_namespaces of that kind)"
        case EINVAL where namespaces.contains(.time):
            return "this kernel has no time namespaces (Linux 5.6 or later is needed)"
        case ENOSYS:
            return "this kernel has no clone3 (Linux 5.3 or later is needed)"
        case EUSERS:
            return "user namespaces nest too deeply (32 levels at most)"
        default:
            return nil
        }
    }

    /// A remedy for a failed setup step, where one is known.
    static func stepRemedy(step: String, errno code: Int32) -> String? {
        switch code {
        case ENOENT where step.hasPrefix("exec "): "no such executable in the sandbox; check the path, PATH and the sandbox's root"
        case EACCES where step.hasPrefix("exec "): "not executable: check its mode and that its filesystem is not mounted noexec"
        case EPERM where step.hasPrefix("setns "):
            "joining a namespace needs CAP_SYS_ADMIN in the user namespace that owns it; join that user namespace too (NamespaceJoin of kind .user, listed first)"
        case ENOSYS where step.hasPrefix("close descriptors"): "this kernel has no close_range (Linux 5.9 or later is needed)"
        default: PrivilegeDiagnosis.remedy(step: step, errno: code)
        }
    }

    private static func sysctl(_ name: String) -> String? {
        (try? readText("/proc/sys/" + name))?.trimmingWhitespace
    }
}

extension String {
    /// The string without leading and trailing spaces and newlines.
    var trimmingWhitespace: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
