import Glibc
import SystemPackage

/// An absolute path inside the sandbox's root, lexically normalized: no
/// ".", no "..", no empty components. Symbolic links are left to the kernel,
/// which resolves them inside the root (openat2(2) `RESOLVE_IN_ROOT`).
struct SandboxPath: Hashable, CustomStringConvertible {
    /// The components below the root; empty for the root itself.
    let components: [String]

    init(components: [String]) { self.components = components }

    /// Validates `path` as the configuration's `field`.
    init(_ path: FilePath, field: String) throws(FilesystemError) {
        let text = try checkedPathText(path, field: field)
        var components: [String] = []
        for component in text.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                if components.popLast() == nil {
                    throw FilesystemError(.targetOutsideRoot, field: field,
                                          "\"\(text)\" climbs above the sandbox's root; remove the \"..\" components")
                }
            default: components.append(String(component))
            }
        }
        self.components = components
    }

    /// The path relative to the root, as openat2(2) takes it below the root's
    /// descriptor ("." for the root).
    var relative: String { components.isEmpty ? "." : components.joined(separator: "/") }

    /// The containing directory; the root's is the root.
    var parent: SandboxPath { SandboxPath(components: components.dropLast()) }

    /// The last component.
    var name: String { components.last ?? "." }

    /// Whether `self` lies strictly below `other`.
    func isBelow(_ other: SandboxPath) -> Bool {
        components.count > other.components.count && Array(components.prefix(other.components.count)) == other.components
    }

    /// `self` with `name` appended.
    func appending(_ name: String) -> SandboxPath { SandboxPath(components: components + [name]) }

    var description: String { "/" + components.joined(separator: "/") }
}

/// The text of an absolute path of the configuration, or the typed error
/// naming `field`.
func checkedPathText(_ path: FilePath, field: String) throws(FilesystemError) -> String {
    let text = path.string
    if text.isEmpty { throw FilesystemError(.invalidPath, field: field, "is empty; give an absolute path") }
    if text.utf8.contains(0) { throw FilesystemError(.invalidPath, field: field, "contains a NUL byte") }
    if !path.isAbsolute { throw FilesystemError(.relativePath, field: field, "\"\(text)\" is relative; give an absolute path") }
    return text
}

/// What a host path is, checked in the parent before any process exists.
enum HostEntry {
    case directory, file

    /// stat(2)s `path` (following symbolic links, as the bind will), or
    /// throws the typed error naming `field`.
    static func of(_ path: FilePath, field: String) throws(FilesystemError) -> HostEntry {
        let text = try checkedPathText(path, field: field)
        var info = stat()
        guard stat(text, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw FilesystemError(.missingSource, field: field, "\"\(text)\" does not exist on the host; create it or fix the path")
            }
            throw FilesystemError(.missingSource, field: field, "\"\(text)\" cannot be examined (errno \(code)); check its permissions")
        }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
    }

    /// Like `of`, but the path must be a directory.
    static func directory(_ path: FilePath, field: String) throws(FilesystemError) {
        guard try of(path, field: field) == .directory else {
            throw FilesystemError(.wrongSourceType, field: field, "\"\(path)\" is not a directory")
        }
    }
}
