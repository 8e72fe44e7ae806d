import CContainment
import ContainmentSupport
import Glibc

/// What a network namespace looks like from inside, as the pool's check
/// reads it: the files of /proc/thread-self/net that list interfaces,
/// addresses, routes, multicast memberships, flow labels and the per-namespace
/// socket counts, and (when the sandbox could have written them) every sysctl
/// under /proc/sys/net. Normalized so that two fresh namespaces compare equal:
/// traffic counters, host-wide socket counts and route reference counts are
/// left out.
struct NetworkNamespaceSnapshot: Equatable {
    /// Normalized contents of the /proc/thread-self/net files, by name.
    var files: [String: String]
    /// The raw "\0PATH\0CONTENTS" records of the sysctls (in the kernel's
    /// sorted directory order), when read.
    var sysctls: [UInt8]?

    /// The directory of the thread's own view of its network namespace.
    static let procNetDirectory = "/proc/thread-self/net"
    /// Files of `procNetDirectory` the check reads. `sockstat` and `sockstat6`
    /// count every socket of the namespace ("sockets: used"), of each protocol,
    /// in TIME_WAIT and in IP fragment queues: zero counts stand for empty
    /// socket tables, whose files (tcp, udp, …) walk host-wide hash tables and
    /// cost milliseconds each. Multicast source filters and legacy netfilter
    /// tables exist only with a socket or with CAP_NET_ADMIN (whose entries
    /// are discarded), so they are not read.
    static let procNetFiles = [
        "dev", "if_inet6", "route", "ipv6_route", "fib_trie", "igmp", "igmp6", "anycast6", "ip6_flowlabel",
        "sockstat", "sockstat6",
    ]
    /// The sysctl tree.
    static let sysctlDirectory = "/proc/sys/net"

    /// Parses the procNetFiles records of cn_netns_read.
    init(procNet dump: UnsafeRawBufferPointer, sysctls: [UInt8]?) {
        var files: [String: String] = [:]
        let fields = dump.split(separator: 0, omittingEmptySubsequences: false)
        // The stream starts with a NUL: fields are "", path, contents, path, ...
        var index = 1
        while index < fields.count {
            let path = String(decoding: fields[index], as: UTF8.self)
            let name = path.hasPrefix(Self.procNetDirectory + "/") ? String(path.dropFirst(Self.procNetDirectory.count + 1)) : path
            let contents = index + 1 < fields.count ? String(decoding: fields[index + 1], as: UTF8.self) : ""
            files[name] = Self.normalize(name: name, contents)
            index += 2
        }
        self.files = files
        self.sysctls = sysctls
    }

    /// Leaves out what differs between two fresh namespaces.
    static func normalize(name: String, _ contents: String) -> String {
        let lines = contents.split(separator: "\n")
        func columns(_ keep: (Int, Substring) -> Bool) -> String {
            lines.map { line in
                line.split(separator: " ", omittingEmptySubsequences: true).enumerated()
                    .filter { keep($0.offset, $0.element) }.map(\.element).joined(separator: " ")
            }.joined(separator: "\n")
        }
        switch name {
        case "dev":
            // Interface names only; the counters grow with traffic.
            return lines.filter { $0.contains(":") }.map { $0.split(separator: ":")[0].trimmingCharacters() }
                .joined(separator: "\n")
        case "ipv6_route":
            // dest plen src splen nexthop metric refcnt use flags device: no refcnt, use.
            return columns { index, _ in index != 6 && index != 7 }
        case "sockstat":
            // "TCP: inuse N orphan N tw N alloc N mem N", "UDP: inuse N mem N":
            // orphan, alloc and mem count the whole host.
            return lines.map { line in
                let fields = line.split(separator: " ")
                var kept: [Substring] = []
                var index = 0
                while index < fields.count {
                    let field = fields[index]
                    if ["orphan", "alloc", "mem"].contains(field) && !line.hasPrefix("FRAG") {
                        index += 2
                        continue
                    }
                    kept.append(field)
                    index += 1
                }
                return kept.joined(separator: " ")
            }.joined(separator: "\n")
        default:
            return contents
        }
    }

    /// Whether the namespace equals `reference`, the sysctls too when read.
    func matches(_ reference: NetworkNamespaceSnapshot) -> Bool {
        files == reference.files && (sysctls == nil || sysctls == reference.sysctls)
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// Reads network namespaces from inside on the pool's own thread, without a
/// process: setns(2) into the namespace (allowed per thread for
/// `CLONE_NEWNET`), read the thread's view, setns(2) back. Used by that
/// thread only.
final class NetworkNamespaceInspector {
    /// Why an inspection failed.
    enum Failure: Error {
        /// The namespace could not be entered or read (errno); the thread is fine.
        case unreadable(Int32)
        /// The thread could not return to the host's network namespace.
        case stranded
    }

    /// The thread's own (the host's) network namespace.
    private let home: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private let names: UnsafeMutablePointer<UnsafePointer<CChar>?>

    /// Opens the calling thread's network namespace, the one to return to.
    init() throws(SandboxError) {
        home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard home >= 0 else {
            throw .spawnFailed("open /proc/thread-self/ns/net", errno: .init(rawValue: errno))
        }
        buffer = .allocate(byteCount: 64 << 10, alignment: 16)
        names = .allocate(capacity: NetworkNamespaceSnapshot.procNetFiles.count + 1)
        for (index, name) in NetworkNamespaceSnapshot.procNetFiles.enumerated() {
            names[index] = UnsafePointer(strdup(name))
        }
        names[NetworkNamespaceSnapshot.procNetFiles.count] = nil
    }

    deinit {
        close(home)
        buffer.deallocate()
        for index in 0..<NetworkNamespaceSnapshot.procNetFiles.count { free(UnsafeMutablePointer(mutating: names[index])) }
        names.deallocate()
    }

    /// The snapshot of the network namespace `network`, its sysctls too when
    /// `sysctls`.
    func snapshot(of network: Int32, sysctls: Bool) throws(Failure) -> NetworkNamespaceSnapshot {
        let sysctlBytes = sysctls ? [UInt8](try read(network, NetworkNamespaceSnapshot.sysctlDirectory, names: nil)) : nil
        let procNet = try read(network, NetworkNamespaceSnapshot.procNetDirectory, names: names)
        return NetworkNamespaceSnapshot(procNet: procNet, sysctls: sysctlBytes)
    }

    /// Empties the TCP metrics cache of the network namespace `network`
    /// (`cn_netns_flush_tcp_metrics`): the round-trip times of earlier
    /// connections by peer, which no file of the snapshot shows.
    func flushTCPMetrics(of network: Int32) throws(Failure) {
        let result = cn_netns_flush_tcp_metrics(network, home)
        if result == CN_NETNS_STRANDED { throw .stranded }
        if result < 0 { throw .unreadable(Int32(-result)) }
    }

    /// The records of cn_netns_read, valid until the next read.
    private func read(_ network: Int32, _ directory: String,
                      names: UnsafeMutablePointer<UnsafePointer<CChar>?>?) throws(Failure) -> UnsafeRawBufferPointer {
        while true {
            let used = directory.withCString { directory in
                cn_netns_read(network, home, directory, names, buffer.baseAddress?.assumingMemoryBound(to: CChar.self),
                              buffer.count)
            }
            if used == CN_NETNS_STRANDED { throw .stranded }
            if used == -Int(ENOSPC) && buffer.count < 16 << 20 {
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 4, alignment: 16)
                buffer.deallocate()
                buffer = larger
                continue
            }
            if used < 0 { throw .unreadable(Int32(-used)) }
            return UnsafeRawBufferPointer(rebasing: buffer[0..<used])
        }
    }
}
