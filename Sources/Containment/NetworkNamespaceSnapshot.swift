import ContainmentSupport
import Glibc

/// What a network namespace looks like from inside, as the pool's verifier
/// reads it: the files of /proc/self/net that list interfaces, addresses,
/// routes, multicast memberships, sockets of every family and legacy
/// netfilter tables, and (when the sandbox could have written them) every
/// sysctl under /proc/sys/net. Normalized so that two fresh namespaces
/// compare equal: traffic counters, kernel socket addresses and route
/// reference counts are left out.
struct NetworkNamespaceSnapshot: Equatable {
    /// Normalized contents by path.
    var files: [String: String]

    /// /proc/self/net files the verifier reads.
    static let procNetFiles = [
        "dev", "if_inet6", "route", "ipv6_route", "fib_trie", "igmp", "igmp6", "anycast6", "mcfilter", "mcfilter6",
        "tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix", "packet", "netlink",
        "ip_tables_names", "ip6_tables_names", "arp_tables_names", "ip6_flowlabel",
    ].map { "/proc/self/net/" + $0 }

    /// The sysctl tree.
    static let sysctlRoot = "/proc/sys/net"

    /// The paths a verifier dumps.
    static func paths(sysctls: Bool) -> [String] { procNetFiles + (sysctls ? [sysctlRoot] : []) }

    /// Parses the verifier's "\0PATH\0CONTENTS" records.
    init(dump: [UInt8]) {
        var files: [String: String] = [:]
        let fields = dump.split(separator: 0, omittingEmptySubsequences: false)
        // The stream starts with a NUL: fields are "", path, contents, path, ...
        var index = 1
        while index < fields.count {
            let path = String(decoding: fields[index], as: UTF8.self)
            let contents = index + 1 < fields.count ? String(decoding: fields[index + 1], as: UTF8.self) : ""
            files[path] = Self.normalize(path: path, contents)
            index += 2
        }
        self.files = files
    }

    /// Leaves out what differs between two fresh namespaces.
    static func normalize(path: String, _ contents: String) -> String {
        let lines = contents.split(separator: "\n")
        func columns(_ keep: (Int, Substring) -> Bool) -> String {
            lines.map { line in
                line.split(separator: " ", omittingEmptySubsequences: true).enumerated()
                    .filter { keep($0.offset, $0.element) }.map(\.element).joined(separator: " ")
            }.joined(separator: "\n")
        }
        switch path {
        case "/proc/self/net/dev":
            // Interface names only; the counters grow with traffic.
            return lines.filter { $0.contains(":") }.map { $0.split(separator: ":")[0].trimmingCharacters() }
                .joined(separator: "\n")
        case "/proc/self/net/ipv6_route":
            // dest plen src splen nexthop metric refcnt use flags device: no refcnt, use.
            return columns { index, _ in index != 6 && index != 7 }
        case "/proc/self/net/netlink":
            // The kernel's own sockets (port id 0) have per-namespace
            // addresses; any other socket counts, by protocol and port id.
            return lines.dropFirst().compactMap { line -> String? in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 2, fields[2] != "0" else { return nil }
                return "\(fields[1]) \(fields[2])"
            }.joined(separator: "\n")
        default:
            return contents
        }
    }

    /// The paths whose normalized contents differ from `reference`'s.
    func differences(from reference: NetworkNamespaceSnapshot) -> [String] {
        Set(files.keys).union(reference.files.keys).filter { files[$0] != reference.files[$0] }.sorted()
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
