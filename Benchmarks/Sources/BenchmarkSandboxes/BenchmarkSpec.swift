import Containment
import Glibc

/// A sandbox to time, named by a comma-separated spec whose tokens mean what
/// they mean to nsbench (../../shared/bench), so that each figure has its
/// counterpart in the limit tool:
///
///     user pid mnt uts ipc net cgroup all   namespaces created
///     map        root inside mapped to the caller (uid and gid maps)
///     lo         loopback up          host     sethostname
///     pdeath     PR_SET_PDEATHSIG     init     the SDK's minimal init as pid 1
///     root=usr   tmpfs root, /usr bound read-only, bin/lib/lib64/sbin links,
///                pivot_root (mount propagation is always private: `private`
///                is accepted and changes nothing)
///     proc       a fresh /proc        dev      the minimal /dev
///     mask       the OCI masked and read-only paths (not in nsbench)
///     rosys      /proc/sys read-only, as a pool needs to recycle entries
///                without comparing sysctls (not in nsbench)
///     caps       every capability dropped (without it: the capabilities
///                the host process has, kept, as nsbench keeps them)
///     nnp        PR_SET_NO_NEW_PRIVS (without it: off, as in nsbench)
///     seccomp=default|strict   a built-in profile, loaded last
///     cgpids cgmem             a cgroup per sandbox with pids.max / memory.max
///     pool       the network namespace from a NetworkNamespacePool of 64
///                (needs user, net, pid; implies lo)
///     exe=PATH   the payload (default /bin/true)
public struct BenchmarkSpec: Sendable, CustomStringConvertible {
    /// The spec as given.
    public let description: String
    /// The sandbox it describes.
    public let sandbox: Sandbox
    /// The payload.
    public let executable: String

    /// Parses a spec; nil for an unknown token.
    public init?(_ spec: String) {
        let kinds: [Substring: NamespaceSet] = [
            "user": .user, "pid": .pid, "mnt": .mount, "uts": .uts, "ipc": .ipc, "net": .network,
            "cgroup": .cgroup, "all": .all,
        ]
        var sandbox = Sandbox()
        sandbox.namespaces = []
        sandbox.initProcess = .payload
        sandbox.isolation.loopbackUp = false
        sandbox.parentDeathSignal = nil
        sandbox.noNewPrivileges = false
        sandbox.capabilities = (try? ProcessCapabilities.current().bounding).map { .root($0) }
        var executable = "/bin/true"
        var mounts: [Mount] = []
        var maskedPaths: [FilePath] = [], readOnlyPaths: [FilePath] = []
        var resources = ResourceLimits()
        for token in spec.split(separator: ",") {
            if let kind = kinds[token] {
                sandbox.namespaces.formUnion(kind)
                continue
            }
            switch token {
            case "map": sandbox.user = .root(mappedTo: .currentUser)
            case "lo": sandbox.isolation.loopbackUp = true
            case "host": sandbox.hostname = "bench"
            case "pdeath": sandbox.parentDeathSignal = .kill
            case "init": sandbox.initProcess = .minimal
            case "private": break
            case "root=usr": mounts += Self.usrRoot
            case "proc": mounts.append(.proc())
            case "dev": mounts.append(.minimalDevices())
            case "mask":
                maskedPaths = FilesystemConfiguration.defaultMaskedPaths
                readOnlyPaths = FilesystemConfiguration.defaultReadOnlyPaths
            case "rosys": readOnlyPaths.append("/proc/sys")
            case "caps": sandbox.capabilities = CapabilityConfiguration.none
            case "nnp": sandbox.noNewPrivileges = true
            case "seccomp=default": sandbox.seccomp = .defaultProfile()
            case "seccomp=strict": sandbox.seccomp = .strict
            case "cgpids": resources.pidsMax = 64
            case "cgmem": resources.memoryMax = 64 << 20
            case "pool":
                guard let pool = try? NetworkNamespacePool(size: 64) else { return nil }
                sandbox.network = .pooled(pool)
                sandbox.isolation.loopbackUp = true
            default:
                guard token.hasPrefix("exe=") else { return nil }
                executable = String(token.dropFirst(4))
            }
        }
        if !mounts.isEmpty || !maskedPaths.isEmpty || !readOnlyPaths.isEmpty {
            sandbox.filesystem = FilesystemConfiguration(root: .tmpfs(), mounts: mounts, maskedPaths: maskedPaths,
                                                         readOnlyPaths: readOnlyPaths)
        }
        if resources != ResourceLimits() { sandbox.resources = resources }
        self.description = spec
        self.sandbox = sandbox
        self.executable = executable
    }

    /// nsbench's `root=usr`: /usr read-only and the merged-/usr links to it.
    static let usrRoot: [Mount] = [.bind("/usr", to: "/usr")]
        + ["bin", "lib", "lib64", "sbin"].map { .symlink("usr/\($0)", at: FilePath("/\($0)")) }
}
/// Touches `megabytes` of anonymous memory and keeps it, as a large host
/// process would hold (the BIGMB setting of nsbench).
public func holdHostMemory(megabytes: Int) {
    guard megabytes > 0 else { return }
    let size = megabytes << 20
    guard let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
          memory != MAP_FAILED else { return }
    memset(memory, 1, size)
}
