import Containment
import Glibc

/// A sandbox to time, named by a comma-separated spec in the style of
/// nsbench's, so that each figure has its counterpart in the limit tool:
///
///     all,map        the seven namespaces and a uid map, payload as pid 1
///     all,map,init   the same under the SDK's minimal init (the default)
public struct BenchmarkSpec: Sendable, CustomStringConvertible {
    /// The spec as given.
    public let description: String
    /// The sandbox it describes.
    public let sandbox: Sandbox
    /// The payload.
    public let executable: String

    /// Parses a spec; nil for an unknown token.
    public init?(_ spec: String) {
        var sandbox = Sandbox()
        sandbox.namespaces = []
        sandbox.initProcess = .payload
        var executable = "/bin/true"
        for token in spec.split(separator: ",") {
            switch token {
            case "all": sandbox.namespaces = .all
            case "map": sandbox.user = .root(mappedTo: .currentUser)
            case "init": sandbox.initProcess = .minimal
            case "host": sandbox.hostname = "bench"
            default:
                guard token.hasPrefix("exe=") else { return nil }
                executable = String(token.dropFirst(4))
            }
        }
        self.description = spec
        self.sandbox = sandbox
        self.executable = executable
    }
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
