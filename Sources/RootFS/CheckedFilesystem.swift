import CContainment
import ContainmentSupport
import Glibc
import SystemPackage

/// A validated `FilesystemConfiguration`: normalized targets, and what each
/// host path is, examined once in the parent.
struct CheckedFilesystem {
    private let configuration: FilesystemConfiguration
    private var targets: [SandboxPath] = []
    private var sourceKinds: [Int: HostEntry] = [:]
    private var masked: [(path: SandboxPath, directory: Bool)] = []
    private var readOnly: [SandboxPath] = []

    init(_ configuration: FilesystemConfiguration) throws(FilesystemError) {
        self.configuration = configuration
        try Self.check(configuration.root)
        for (index, mount) in configuration.mounts.enumerated() {
            let field = "filesystem.mounts[\(index)]"
            let target = try SandboxPath(mount.target, field: field + ".target")
            if target.components.isEmpty {
                throw FilesystemError(.targetOutsideRoot, field: field + ".target",
                                      "is the root itself; choose the root with `root` (e.g. .tmpfs() or .directory(path))")
            }
            targets.append(target)
            if let kind = try Self.check(mount, field: field) { sourceKinds[index] = kind }
        }
        let mountsProc = zip(configuration.mounts, targets).contains { $0.kind == .proc && $1.description == "/proc" }
        let mountsSys = zip(configuration.mounts, targets).contains { $0.kind == .sysfs && $1.description == "/sys" }
        let hostRoot = configuration.root.kind == .host
        func isKernelPath(_ path: SandboxPath) -> Bool { ["proc", "sys"].contains(path.components.first) }
        /// Whether the sandbox has the kernel filesystem `path` lies in.
        func applies(_ path: SandboxPath) -> Bool {
            switch path.components.first {
            case "proc": mountsProc || hostRoot
            case "sys": mountsSys || hostRoot
            default: true
            }
        }
        for (index, path) in configuration.maskedPaths.enumerated() {
            let field = "filesystem.maskedPaths[\(index)]"
            let target = try SandboxPath(path, field: field)
            guard isKernelPath(target), target.components.count > 1 else {
                throw FilesystemError(.invalidOption, field: field, "\"\(path)\" is not below /proc or /sys; to hide another path add .tmpfs(at:) or a bind of /dev/null to mounts")
            }
            guard applies(target), let kind = try? HostEntry.of(FilePath(target.description), field: field) else { continue }
            masked.append((target, kind == .directory))
        }
        for (index, path) in configuration.readOnlyPaths.enumerated() {
            let target = try SandboxPath(path, field: "filesystem.readOnlyPaths[\(index)]")
            if isKernelPath(target) && !(applies(target) && access(target.description, F_OK) == 0) { continue }
            readOnly.append(target)
        }
    }

    private static func check(_ root: RootFilesystem) throws(FilesystemError) {
        switch root.kind {
        case .host: break
        case .directory(let path): try HostEntry.directory(path, field: "filesystem.root")
        case .overlay(let lower, let upper): try checkOverlay(lower: lower, upper: upper, field: "filesystem.root")
        case .tmpfs(let options): try check(options, field: "filesystem.root")
        }
    }

    /// Checks a mount's own options; returns what a bind source is.
    private static func check(_ mount: Mount, field: String) throws(FilesystemError) -> HostEntry? {
        switch mount.kind {
        case .bind(let source, _, _):
            return try HostEntry.of(source, field: field + ".source")
        case .tmpfs(let options):
            try check(options, field: field)
        case .overlay(let lower, let upper, _):
            try checkOverlay(lower: lower, upper: upper, field: field)
        case .symlink(let contents):
            if contents.isEmpty || contents.utf8.contains(0) {
                throw FilesystemError(.invalidPath, field: field + ".contents", "a symbolic link needs non-empty contents without NUL")
            }
        case .proc, .sysfs, .minimalDevices, .mqueue, .directory, .file:
            break
        }
        return nil
    }

    private static func check(_ options: TmpfsOptions, field: String) throws(FilesystemError) {
        if let size = options.size, size <= 0 {
            throw FilesystemError(.invalidSize, field: field + ".size",
                                  "is \(size); give a positive number of bytes, or nil for tmpfs's default of half the RAM")
        }
        if options.mode.rawValue > 0o7777 {
            throw FilesystemError(.invalidOption, field: field + ".mode", "\(String(options.mode.rawValue, radix: 8)) is not a file mode (0 to 7777 octal)")
        }
    }

    private static func checkOverlay(lower: [FilePath], upper: OverlayUpper, field: String) throws(FilesystemError) {
        if lower.isEmpty {
            throw FilesystemError(.invalidOption, field: field + ".lower", "an overlay needs at least one lower directory")
        }
        for (index, layer) in lower.enumerated() {
            try HostEntry.directory(layer, field: field + ".lower[\(index)]")
        }
        switch upper.kind {
        case .ephemeral(let size):
            if let size, size <= 0 {
                throw FilesystemError(.invalidSize, field: field + ".upper.size", "is \(size); give a positive number of bytes or nil")
            }
        case .directory(let upperPath, let work):
            try HostEntry.directory(upperPath, field: field + ".upper")
            try HostEntry.directory(work, field: field + ".upper.work")
        }
    }

    // MARK: Steps

    func steps() -> [SetupStep] {
        var planner = MountPlanner()
        planner.makeMountsPrivate()
        switch configuration.root.kind {
        case .host:
            planner.cloneTree("/", recursive: true, into: MountPlanner.root, "host root")
            if configuration.readOnlyRoot {
                planner.setAttributes(.readOnly, of: MountPlanner.root, recursive: true, "host root")
            }
        case .directory(let path):
            planner.cloneTree(path.string, recursive: true, into: MountPlanner.root, "root \(path)")
        case .overlay(let lower, let upper):
            planner.overlay(lower: lower, upper: upper, attributes: [], into: MountPlanner.root, "overlay root")
        case .tmpfs(let options):
            planner.newFilesystem("tmpfs", parameters: options.parameters, attributes: options.attributes,
                                  into: MountPlanner.root, "tmpfs root")
        }
        planner.attachRoot()
        for (index, mount) in configuration.mounts.enumerated() {
            planner.add(mount, at: targets[index], source: sourceKinds[index])
        }
        for (path, directory) in masked {
            let what = "mask \(path)"
            if directory {
                planner.newFilesystem("tmpfs", parameters: [("size", "4096"), ("mode", "555")],
                                      attributes: [.readOnly, .noSuid, .noDev, .noExec], into: MountPlanner.mount, what)
            } else {
                planner.cloneTree("/dev/null", recursive: false, into: MountPlanner.mount, what)
            }
            planner.attach(MountPlanner.mount, at: path, directory: directory, what)
        }
        for path in readOnly { planner.remountReadOnly(path, "read-only \(path)") }
        planner.pivot(readOnly: configuration.readOnlyRoot && configuration.root.kind != .host)
        return planner.steps
    }
}
