import ArgumentParser
import Containment

/// The root (--root, --root-overlay, --host-readonly, or an empty tmpfs) and
/// the bubblewrap-style mounts placed in it, in command-line order.
struct FilesystemOptions: ParsableArguments {
    @Option(name: .customLong("ro-bind"), help: ArgumentHelp("Bind host SRC read-only (nosuid, nodev) at DEST.", valueName: "SRC DEST"))
    var roBind: [String] = []

    @Option(help: ArgumentHelp("Bind host SRC read-write (nosuid, nodev) at DEST.", valueName: "SRC DEST"))
    var bind: [String] = []

    @Option(help: ArgumentHelp("A fresh tmpfs at DEST.", valueName: "DEST"))
    var tmpfs: [String] = []

    @Option(help: ArgumentHelp("A fresh proc at DEST (needs a pid namespace).", valueName: "DEST"))
    var proc: [String] = []

    @Option(help: ArgumentHelp("A minimal /dev at DEST: null, zero, full, random, urandom, tty, a private devpts, shm.", valueName: "DEST"))
    var dev: [String] = []

    @Option(help: ArgumentHelp("A symbolic link at LINK pointing to TARGET.", valueName: "TARGET LINK"))
    var symlink: [String] = []

    @Option(help: ArgumentHelp("A directory at DEST.", valueName: "DEST"))
    var dir: [String] = []

    @Option(help: ArgumentHelp("An overlay at DEST of LOWERS (host directories separated by ':', top first); writes go to a tmpfs that vanishes with the sandbox.", valueName: "LOWERS DEST"))
    var overlay: [String] = []

    @Option(help: ArgumentHelp("Use host directory DIR (an unpacked image) as the root; read-only unless --rw-root.", valueName: "DIR"))
    var root: String?

    @Option(help: ArgumentHelp("Copy-on-write root: an overlay of LOWERS (':'-separated) whose writes go to a tmpfs.", valueName: "LOWERS"))
    var rootOverlay: String?

    @Flag(help: "The host's filesystem read-only, with a fresh /proc, a minimal /dev and private /tmp and /var/tmp.")
    var hostReadonly = false

    @Flag(help: "Keep the root writable (with --root or --host-readonly).")
    var rwRoot = false

    @Flag(help: "Leave the OCI default /proc and /sys paths (keys, timer_list, sysrq-trigger, ...) unmasked and writable, as bubblewrap does.")
    var noMasks = false

    /// The mount flags, as `PairedOptions` records their order.
    static let mountFlags: Set<String> = ["--ro-bind", "--bind", "--tmpfs", "--proc", "--dev", "--symlink", "--dir", "--overlay"]

    /// Sets `sandbox.filesystem`: nil (the host's filesystem, unchanged) when
    /// no root or mount flag is given.
    func apply(to sandbox: inout Sandbox, mountOrder: [String], origins: inout FieldOrigins) throws {
        let roots = [root != nil, rootOverlay != nil, hostReadonly].filter { $0 }.count
        if roots > 1 { throw CommandLineError("--root, --root-overlay and --host-readonly exclude each other; give one") }
        let mounts = try orderedMounts(mountOrder)
        if roots == 0 && mounts.isEmpty {
            if rwRoot { throw CommandLineError("--rw-root needs --root or --host-readonly") }
            if noMasks { throw CommandLineError("--no-masks needs a root or mount flag; without one the host's /proc is used as it is") }
            return
        }
        var configuration: FilesystemConfiguration
        if hostReadonly {
            configuration = .hostReadOnly
            configuration.readOnlyRoot = !rwRoot
        } else if let root {
            configuration = FilesystemConfiguration(root: .directory(FilePath(root)), readOnlyRoot: !rwRoot)
        } else if let rootOverlay {
            configuration = FilesystemConfiguration(root: .overlay(lower: Self.layers(rootOverlay)))
        } else {
            configuration = FilesystemConfiguration(root: .tmpfs())
        }
        let offset = configuration.mounts.count
        for (index, entry) in mounts.enumerated() {
            origins.record("filesystem.mounts[\(offset + index)]", entry.flag)
        }
        configuration.mounts += mounts.map(\.mount)
        if noMasks {
            configuration.maskedPaths = []
            configuration.readOnlyPaths = []
        }
        sandbox.filesystem = configuration
    }

    /// Each mount with the flag text it came from, in command-line order.
    private func orderedMounts(_ order: [String]) throws -> [(mount: Mount, flag: String)] {
        var roBinds = try PairedOptions.pairs(roBind, flag: "--ro-bind", names: "SRC DEST")[...]
        var binds = try PairedOptions.pairs(bind, flag: "--bind", names: "SRC DEST")[...]
        var links = try PairedOptions.pairs(symlink, flag: "--symlink", names: "TARGET LINK")[...]
        var overlays = try PairedOptions.pairs(overlay, flag: "--overlay", names: "LOWERS DEST")[...]
        var tmpfs = tmpfs[...], proc = proc[...], dev = dev[...], dir = dir[...]
        var result: [(Mount, String)] = []
        for flag in order {
            switch flag {
            case "--ro-bind": if let (source, target) = roBinds.popFirst() {
                result.append((.bind(FilePath(source), to: FilePath(target)), "--ro-bind \(source) \(target)"))
            }
            case "--bind": if let (source, target) = binds.popFirst() {
                result.append((.bind(FilePath(source), to: FilePath(target), attributes: [.noSuid, .noDev]), "--bind \(source) \(target)"))
            }
            case "--symlink": if let (contents, link) = links.popFirst() {
                result.append((.symlink(contents, at: FilePath(link)), "--symlink \(contents) \(link)"))
            }
            case "--overlay": if let (lowers, target) = overlays.popFirst() {
                result.append((.overlay(lower: Self.layers(lowers), at: FilePath(target)), "--overlay \(lowers) \(target)"))
            }
            case "--tmpfs": if let target = tmpfs.popFirst() { result.append((.tmpfs(at: FilePath(target)), "--tmpfs \(target)")) }
            case "--proc": if let target = proc.popFirst() { result.append((.proc(at: FilePath(target)), "--proc \(target)")) }
            case "--dev": if let target = dev.popFirst() { result.append((.minimalDevices(at: FilePath(target)), "--dev \(target)")) }
            case "--dir": if let target = dir.popFirst() { result.append((.directory(FilePath(target)), "--dir \(target)")) }
            default: break
            }
        }
        return result
    }

    /// Overlay layers from "a:b:c".
    private static func layers(_ text: String) -> [FilePath] {
        text.split(separator: ":").map { FilePath(String($0)) }
    }
}
