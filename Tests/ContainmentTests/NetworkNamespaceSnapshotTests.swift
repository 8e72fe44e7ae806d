@testable import Containment
import Testing

/// The pool's comparison of a returned network namespace with a fresh one:
/// what the normalization leaves out (counters, host-wide figures) and what
/// it keeps (names, routes, the namespace's own socket counts).
struct NetworkNamespaceSnapshotTests {
    /// A fresh namespace's files, as /proc/thread-self/net shows them.
    static let fresh: [String: String] = [
        "dev": """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
            """,
        "ipv6_route": "00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo\n",
        "sockstat": "sockets: used 0\nTCP: inuse 0 orphan 3 tw 0 alloc 41 mem 7\nUDP: inuse 0 mem 12\nFRAG: inuse 0 memory 0\n",
        "fib_trie": "Main:\n  +-- 127.0.0.0/8 2 0 2\n",
    ]

    /// The snapshot of `files`, read from a cn_netns_read dump.
    static func snapshot(_ files: [String: String]) -> NetworkNamespaceSnapshot {
        var dump: [UInt8] = []
        for name in files.keys.sorted() {
            dump += [0] + Array("\(NetworkNamespaceSnapshot.procNetDirectory)/\(name)".utf8) + [0] + Array(files[name]!.utf8)
        }
        return dump.withUnsafeBytes { NetworkNamespaceSnapshot(procNet: $0, sysctls: nil) }
    }

    /// Whether the pool takes a namespace showing `files` for a fresh one.
    static func looksFresh(_ files: [String: String]) -> Bool {
        snapshot(files).matches(snapshot(fresh))
    }

    /// `fresh` with `old` replaced by `new` in the file `name`.
    static func changed(_ name: String, _ old: String, _ new: String) -> [String: String] {
        var files = fresh
        files[name] = files[name]!.replacingOccurrences(old, new)
        #expect(files[name] != fresh[name], "the change must apply")
        return files
    }

    @Test(arguments: [
        ("dev", "lo:       0       0", "lo:   14230     173"),
        ("ipv6_route", "00000002 00000000 8020", "00000005 0000002a 8020"),
        ("sockstat", "orphan 3", "orphan 9"),
        ("sockstat", "alloc 41 mem 7", "alloc 52 mem 9"),
        ("sockstat", "UDP: inuse 0 mem 12", "UDP: inuse 0 mem 30"),
    ])
    func trafficAndHostWideFiguresAreLeftOut(name: String, old: String, new: String) {
        #expect(Self.looksFresh(Self.changed(name, old, new)))
    }

    @Test(arguments: [
        ("dev", "    lo:", "  dummy0:"),
        ("ipv6_route", "80200001       lo", "80200001   dummy0"),
        ("sockstat", "sockets: used 0", "sockets: used 1"),
        ("sockstat", "TCP: inuse 0", "TCP: inuse 1"),
        ("sockstat", "tw 0", "tw 1"),
        ("sockstat", "FRAG: inuse 0 memory 0", "FRAG: inuse 1 memory 768"),
        ("fib_trie", "127.0.0.0/8", "10.0.0.0/8"),
    ])
    func whatASandboxLeavesIsSeen(name: String, old: String, new: String) {
        #expect(!Self.looksFresh(Self.changed(name, old, new)))
    }

    @Test func aMissingFileIsADifference() {
        var files = Self.fresh
        files["fib_trie"] = nil
        #expect(!Self.looksFresh(files))
    }
}

extension String {
    /// The string with every `old` replaced by `new` (no Foundation).
    fileprivate func replacingOccurrences(_ old: String, _ new: String) -> String {
        split(separator: old, omittingEmptySubsequences: false).joined(separator: new)
    }
}
