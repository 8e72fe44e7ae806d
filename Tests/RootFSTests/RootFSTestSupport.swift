import Containment
import Foundation
import Glibc
import TestSupport
import Testing

/// A temporary directory on the host, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ prefix: String = "rootfs-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw Errno(rawValue: errno) }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(path, 0o755)
    }

    func file(_ name: String, _ contents: String) throws {
        let url = URL(fileURLWithPath: path + "/" + name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: false, encoding: .utf8)
    }

    func directory(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + name, withIntermediateDirectories: true)
    }

    func symlink(_ name: String, to destination: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path + "/" + name, withDestinationPath: destination)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Every entry below the directory with its contents or link target: a
    /// checksum of the tree.
    func snapshot() -> [String: Data] { Self.snapshot(path) }

    static func snapshot(_ root: String) -> [String: Data] {
        var result: [String: Data] = [:]
        let manager = FileManager.default
        guard let names = manager.enumerator(atPath: root) else { return result }
        for case let name as String in names {
            let full = root + "/" + name
            if let link = try? manager.destinationOfSymbolicLink(atPath: full) {
                result[name] = Data(("-> " + link).utf8)
            } else if let data = manager.contents(atPath: full) {
                result[name] = data
            } else {
                result[name] = Data("dir".utf8)
            }
        }
        return result
    }
}

/// A busybox image: /bin/busybox from the busybox-static package and links
/// to it, plus empty /proc, /dev and /tmp directories.
func makeBusyboxImage() async throws -> TemporaryDirectory {
    let image = try TemporaryDirectory("rootfs-image")
    try image.directory("bin")
    // Copied by cp(1) in a child of its own, not by this process: a
    // descriptor open for writing here could be inherited by a sandbox
    // another test clones meanwhile, and exec of the copy would then fail
    // with ETXTBSY until that child execs.
    var host = Sandbox()
    host.namespaces = []
    let copy = try await host.run("/bin/cp", ["/bin/busybox", image.path + "/bin/busybox"])
    guard copy.termination.isSuccess else { throw CocoaError(.fileWriteUnknown) }
    for tool in ["sh", "ls", "cat", "echo", "true", "id", "mount", "sleep"] {
        try image.symlink("bin/" + tool, to: "busybox")
    }
    for directory in ["proc", "dev", "tmp", "etc"] { try image.directory(directory) }
    try image.file("etc/motd", "image\n")
    try image.file("data/original", "original\n")
    chmodRecursively(image.path)
    return image
}

/// Makes a tree readable and searchable by everyone (the rootless tests run as nobody).
func chmodRecursively(_ path: String) {
    chmod(path, 0o755)
    for case let name as String in FileManager.default.enumerator(atPath: path) ?? FileManager.DirectoryEnumerator() {
        var info = stat()
        if lstat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) != S_IFLNK {
            chmod(path + "/" + name, (info.st_mode & S_IFMT) == S_IFDIR || (info.st_mode & 0o111) != 0 ? 0o755 : 0o644)
        }
    }
}

/// The host's /usr read-only and its top-level links or directories (bin,
/// lib, lib64, sbin): enough to run the dynamically linked probe.
func hostSystemMounts() -> [Mount] {
    var mounts: [Mount] = [.bind("/usr", to: "/usr")]
    for name in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
        if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/" + name) {
            mounts.append(.symlink(link, at: FilePath("/" + name)))
        } else if FileManager.default.fileExists(atPath: "/" + name) {
            mounts.append(.bind(FilePath("/" + name), to: FilePath("/" + name)))
        }
    }
    return mounts
}

/// The directory of the Swift runtime this process loaded (the probe, built
/// by SwiftPM, links it too), from /proc/self/maps.
func swiftRuntimeDirectory() -> String? {
    let maps = readProcFile("/proc/self/maps")
    guard let line = maps.split(separator: "\n").first(where: { $0.hasSuffix("/libswiftCore.so") }),
          let start = line.firstIndex(of: "/") else { return nil }
    let path = line[start...]
    return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
}

/// A tmpfs root that can run the probe: the host's system directories, the
/// Swift runtime and the build products read-only, proc and a minimal /dev.
func probeFilesystem(_ extra: [Mount] = []) -> FilesystemConfiguration {
    let products = FilePath(TestEnvironment.productsDirectory)
    var mounts = hostSystemMounts() + [.bind(products, to: products)]
    if let runtime = swiftRuntimeDirectory(), !runtime.hasPrefix("/usr/") {
        mounts.append(.bind(FilePath(runtime), to: FilePath(runtime)))
    }
    return FilesystemConfiguration(root: .tmpfs(), mounts: mounts + [.proc(), .minimalDevices()] + extra)
}

/// The host's mount table as this process sees it, without the mount the
/// propagation test makes on the host meanwhile.
func hostMountTable() -> [Substring] {
    readProcFile("/proc/self/mountinfo").split(separator: "\n").filter { !$0.contains("/rootfs-propagation-") }
}

/// A /proc file's text (its size reads as 0, so read to the end).
func readProcFile(_ path: String) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
    defer { try? handle.close() }
    return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
}

extension ProbeOutput {
    /// What the probe said about `path` under `key` ("read /etc/hosts ok 24"
    /// gives "ok 24"); nil when it said nothing.
    func about(_ key: String, _ path: String) -> String? { everything(key, path).first }

    /// Every line the probe printed about `path` under `key`.
    func everything(_ key: String, _ path: String) -> [String] {
        all(key).compactMap { value in
            value.hasPrefix(path + " ") ? String(value.dropFirst(path.count + 1)) : nil
        }
    }
}
