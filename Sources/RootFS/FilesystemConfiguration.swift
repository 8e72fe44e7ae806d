import ContainmentSupport
import Glibc
import SystemPackage

/// The sandbox's filesystem: a root, mounts placed in it in order, and the
/// paths of /proc and /sys hidden or made read-only. Compiled into mount
/// steps of the child, which run in its private mount namespace: make every
/// mount private, build the new root, place the mounts, mask paths, then
/// pivot_root(2) into it and detach the host's root.
///
/// ```swift
/// var sandbox = Sandbox()
/// sandbox.filesystem = .hostReadOnly
/// sandbox.filesystem?.mounts.append(.bind("/srv/data", to: "/data", attributes: []))
/// ```
public struct FilesystemConfiguration: Sendable, Hashable {
    /// The root before mounts are added.
    public var root: RootFilesystem
    /// Make the root read-only: for `.host`, every host mount from the start;
    /// otherwise the root mount, once the mounts' targets exist in it.
    public var readOnlyRoot: Bool
    /// What is placed in the root, in order: a mount's target may lie in an
    /// earlier mount.
    public var mounts: [Mount]
    /// Paths below /proc or /sys hidden from the payload: a file is covered
    /// with /dev/null, a directory with an empty read-only tmpfs. They apply
    /// when the sandbox has them (a proc or sysfs mount there, or the host's
    /// root) and the running kernel has them. To hide any other path, add a
    /// `.tmpfs(at:)` or a bind of /dev/null to `mounts`.
    public var maskedPaths: [FilePath]
    /// Paths bound read-only (nosuid, nodev, noexec) onto themselves, with
    /// the same rule as `maskedPaths`.
    public var readOnlyPaths: [FilePath]

    /// Creates a configuration; the defaults are an empty tmpfs root and the
    /// OCI runtime specification's masked and read-only paths.
    public init(
        root: RootFilesystem = .tmpfs(),
        readOnlyRoot: Bool = false,
        mounts: [Mount] = [],
        maskedPaths: [FilePath] = FilesystemConfiguration.defaultMaskedPaths,
        readOnlyPaths: [FilePath] = FilesystemConfiguration.defaultReadOnlyPaths
    ) {
        self.root = root
        self.readOnlyRoot = readOnlyRoot
        self.mounts = mounts
        self.maskedPaths = maskedPaths
        self.readOnlyPaths = readOnlyPaths
    }

    /// The OCI default masked paths: kernel memory, keys, timers and hardware
    /// information that a sandbox has no business reading.
    public static let defaultMaskedPaths: [FilePath] = [
        "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
        "/sys/devices/virtual/powercap", "/sys/firmware",
    ]

    /// The OCI default read-only paths: kernel tunables and triggers.
    public static let defaultReadOnlyPaths: [FilePath] = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]

    /// Whether a proc is mounted: inside a user namespace it needs a pid
    /// namespace of the sandbox's own (`Containment` checks the namespaces).
    package var needsPidNamespace: Bool { mounts.contains { $0.kind == .proc } }
    /// Whether nothing in the sandbox can write a sysctl: /proc/sys is
    /// read-only or masked, every proc is mounted at /proc (so the read-only
    /// cover applies to it), and nothing under the host's /proc is bound in.
    /// A new proc mount is refused while the one at /proc is not fully
    /// visible, and covered paths are locked in a user namespace.
    package var protectsSysctls: Bool {
        guard (readOnlyPaths + maskedPaths).contains(where: { $0 == "/proc/sys" || $0 == "/proc" }) else { return false }
        return mounts.allSatisfy { mount in
            switch mount.kind {
            case .proc: mount.target == "/proc"
            case .bind(let source, _, _): !source.starts(with: "/proc") && !source.starts(with: "/sys")
            case .overlay(let lower, _, _): !lower.contains { $0.starts(with: "/proc") }
            default: true
            }
        }
    }

    /// Whether a sysfs is mounted (needs a network namespace in a user namespace).
    package var needsNetworkNamespace: Bool { mounts.contains { $0.kind == .sysfs } }
    /// Whether an mqueue is mounted (needs an IPC namespace in a user namespace).
    package var needsIPCNamespace: Bool { mounts.contains { $0.kind == .mqueue } }

    /// Rejects configurations that cannot work, naming the field: relative
    /// paths, targets outside the root, missing host paths, empty sizes.
    /// Host paths are examined here, in the parent, before any process exists.
    public func validate() throws(FilesystemError) {
        _ = try CheckedFilesystem(self)
    }

    /// The child's mount steps, pivot_root included, after validating.
    package func setupSteps() throws(FilesystemError) -> [SetupStep] {
        try CheckedFilesystem(self).steps()
    }
}
