import ArgumentParser
import Containment

/// What the payload's network is.
enum NetworkMode: String, ExpressibleByArgument, CaseIterable {
    /// A network namespace of its own with only loopback, up.
    case none
    /// The host's network namespace.
    case host
    /// A pre-made namespace from the pool (not available yet).
    case pooled
}

/// --namespaces, --share, --net, --hostname.
struct NamespaceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Namespaces to create, comma-separated: user, pid, mnt, uts, ipc, net, cgroup, time; 'all' is the first seven, 'none' creates none.", valueName: "LIST"))
    var namespaces = "all"

    @Option(help: ArgumentHelp("Keep the host's namespace of this kind instead of a new one (repeatable).", valueName: "KIND"))
    var share: [String] = []

    @Option(help: "Network: none (own namespace, loopback only), host (the host's), pooled (refused: a pool of recycled namespaces pays off only in a process that spawns many sandboxes, through the library's NetworkNamespacePool). Default: none, or the --namespaces list.")
    var net: NetworkMode?

    @Option(help: "Hostname inside the sandbox (needs a UTS namespace).")
    var hostname: String?

    /// Sets the sandbox's namespaces, network and hostname.
    func apply(to sandbox: inout Sandbox) throws {
        var set: NamespaceSet = []
        for name in namespaces.split(separator: ",").map({ $0.trimmingSpaces }) {
            switch name {
            case "all": set.formUnion(.all)
            case "none": break
            default: set.insert(try Self.kind(name, flag: "--namespaces").flag)
            }
        }
        for name in share.flatMap({ $0.split(separator: ",").map { $0.trimmingSpaces } }) {
            set.remove(try Self.kind(name, flag: "--share").flag)
        }
        switch net {
        case .none?: set.insert(.network)
        case .host?: set.remove(.network)
        case .pooled?:
            // One process runs one sandbox: a pool would make the namespace it
            // saves. Pooling belongs to long-lived hosts of the library.
            throw CommandLineError("--net pooled: a network namespace pool pays off only in a process that spawns many sandboxes; sandbox-run spawns one. Use NetworkNamespacePool with sandbox.network = .pooled(pool) in the library, or --net none")
        case nil: break
        }
        sandbox.namespaces = set
        sandbox.hostname = hostname
    }

    /// The kind named `name` ("mnt" or "mount", "net" or "network", ...).
    static func kind(_ name: String, flag: String) throws -> NamespaceKind {
        let aliases = ["mount": "mnt", "network": "net"]
        let canonical = aliases[name] ?? name
        guard let kind = NamespaceKind.allCases.first(where: { $0.name == canonical }) else {
            throw CommandLineError("\(flag): unknown namespace \"\(name)\"; use user, pid, mnt, uts, ipc, net, cgroup or time")
        }
        return kind
    }
}

extension Substring {
    /// The text without surrounding spaces, by slicing: `reversed()` views
    /// would make nested generic types, which cost a fresh process 0.3 ms
    /// to instantiate.
    var trimmingSpaces: String {
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else { return "" }
        return String(self[first...last])
    }
}
