import CSeccomp
import Glibc
import SystemPackage

/// Compiled seccomp programs kept on disk, so that short-lived processes (a
/// command-line tool that starts once per sandbox) compile a filter once,
/// not on every run: libseccomp needs milliseconds for a profile of
/// Docker's size, loading the stored bytes microseconds.
///
/// A program is stored under a digest of everything that decides its bytes:
/// the filter's actions and rules, the program variant, libseccomp's
/// version and the architecture. The store trusts only what the calling
/// user alone could have written: a directory of the user's own, mode 0700,
/// and files of the user's own that no one else may write; anything else is
/// ignored and the filter compiled as usual. Writes are atomic (a temporary
/// file renamed into place), and every failure of the store falls back to
/// compiling.
///
/// ```swift
/// var filter = SeccompFilter.defaultProfile()
/// filter.programStore = .user
/// ```
public struct SeccompProgramStore: Sendable, Hashable {
    /// The directory holding the programs.
    public let directory: FilePath

    /// A store in `directory`, created (mode 0700) on first save.
    public init(directory: FilePath) {
        self.directory = directory
    }

    /// The calling user's store: `$XDG_CACHE_HOME/swift-containment/seccomp`,
    /// or `$HOME/.cache/swift-containment/seccomp`; nil when neither
    /// variable names an absolute path.
    public static var user: SeccompProgramStore? {
        let variable = { (name: String) in getenv(name).map { String(cString: $0) }.flatMap { $0.hasPrefix("/") ? $0 : nil } }
        guard let cache = variable("XDG_CACHE_HOME") ?? variable("HOME").map({ $0 + "/.cache" }) else { return nil }
        return SeccompProgramStore(directory: FilePath(cache + "/swift-containment/seccomp"))
    }

    /// The file a program of `filter` in `variant` is stored in.
    func path(for filter: SeccompFilter, variant: SeccompProgram.Variant) -> String {
        directory.string + "/" + Self.key(filter, variant) + ".bpf"
    }

    /// The digest naming a program: FNV-1a (64 bits) over a text that
    /// spells out everything that decides the compiled bytes.
    static func key(_ filter: SeccompFilter, _ variant: SeccompProgram.Variant) -> String {
        let version = seccomp_version().map { "\($0.pointee.major).\($0.pointee.minor).\($0.pointee.micro)" } ?? "?"
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var digest = FNV1a()
        digest.write("swift-containment seccomp 1\n\(machine)\nlibseccomp \(version)\n\(variant)\n")
        filter.write(to: &digest)
        let hex = String(digest.hash, radix: 16)
        return "v1-" + String(repeating: "0", count: 16 - hex.count) + hex + "-\(digest.count)"
    }

    /// The stored bytes, if a trustworthy file holds a plausible program.
    func load(_ path: String) -> [UInt8]? {
        guard trusted(directory.string, directory: true) else { return nil }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, Self.trusted(info, directory: false),
              info.st_size > 0, info.st_size % 8 == 0, info.st_size <= 4096 * 8 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return count == bytes.count ? bytes : nil
    }

    /// Saves `bytes` at `path`, best effort.
    func save(_ bytes: [UInt8], at path: String) {
        guard makeDirectory(), trusted(directory.string, directory: true) else { return }
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written != bytes.count || rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// Creates the directory and its missing parents; the last one mode 0700.
    private func makeDirectory() -> Bool {
        var path = ""
        for component in directory.string.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o700) != 0 && errno != EEXIST { return false }
        }
        return true
    }

    private func trusted(_ path: String, directory: Bool) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && Self.trusted(info, directory: directory)
    }

    /// Owned by the calling user, writable by no one else, of the right type.
    private static func trusted(_ info: stat, directory: Bool) -> Bool {
        let type = info.st_mode & S_IFMT
        return info.st_uid == geteuid() && info.st_mode & 0o022 == 0 && type == (directory ? S_IFDIR : S_IFREG)
    }
}

/// FNV-1a (64 bits) over the UTF-8 bytes written to it, and their count.
private struct FNV1a: TextOutputStream {
    private(set) var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    private(set) var count = 0

    mutating func write(_ string: String) {
        for byte in string.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3
        }
        count += string.utf8.count
    }
}
