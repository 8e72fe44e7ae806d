import Glibc

/// Remedies for failed steps of the Capabilities layer.
enum PrivilegeDiagnosis {
    /// A remedy for a failed resource-limit, bounding-set, capability or
    /// Landlock step, where one is known.
    static func remedy(step: String, errno code: Int32) -> String? {
        switch code {
        case EPERM where step.hasPrefix("set RLIMIT_"):
            "raising a hard limit above the host's needs CAP_SYS_RESOURCE in the initial user namespace (not a sandbox's); lower the limit to the host's hard limit"
        case EPERM where step.hasPrefix("drop CAP_") || step.hasPrefix("set securebits"):
            "changing the bounding set and securebits needs CAP_SETPCAP; create a user namespace or run as root"
        case EPERM where step.hasPrefix("set capabilities") || step.hasPrefix("raise CAP_"):
            "the child cannot hold these capabilities; without a user namespace it has only the host process's, and the host's bounding set limits them"
        case EPERM where step.hasPrefix("enforce the Landlock"):
            "Landlock needs no_new_privs or CAP_SYS_ADMIN; keep noNewPrivileges on"
        default:
            nil
        }
    }
}
