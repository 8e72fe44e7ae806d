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
    /// The normalized files of /proc/thread-self/net, as "\0NAME\0CONTENTS"
    /// records in the order they were read. Bytes, not strings: the pool's
    /// thread builds one for every returned entry.
    var procNet: [UInt8]
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
    /// What cn_netns_read puts before each file name.
    private static let procNetPrefix = Array((procNetDirectory + "/").utf8)
    /// The sockstat fields that count the whole host, not the namespace.
    private static let hostWideSocketFields = ["orphan", "alloc", "mem"].map { Array($0.utf8) }

    /// Parses the procNetFiles records of cn_netns_read.
    init(procNet dump: UnsafeRawBufferPointer, sysctls: [UInt8]?) {
        var normalized: [UInt8] = []
        normalized.reserveCapacity(dump.count)
        let fields = dump.split(separator: 0, omittingEmptySubsequences: false)
        // The stream starts with a NUL: fields are "", path, contents, path, ...
        var index = 1
        while index < fields.count {
            let path = fields[index]
            let name = path.starts(with: Self.procNetPrefix) ? path.dropFirst(Self.procNetPrefix.count) : path
            normalized.append(0)
            normalized.append(contentsOf: name)
            normalized.append(0)
            let contents = index + 1 < fields.count ? fields[index + 1] : dump[dump.endIndex...]
            Self.normalize(name: String(decoding: name, as: UTF8.self), contents, into: &normalized)
            index += 2
        }
        self.procNet = normalized
        self.sysctls = sysctls
    }

    /// Appends `contents` to `output` without what differs between two
    /// fresh namespaces.
    private static func normalize(name: String, _ contents: Slice<UnsafeRawBufferPointer>, into output: inout [UInt8]) {
        let space = UInt8(ascii: " ")
        /// Appends `line`'s space-separated fields, but those `drop` rejects,
        /// one space apart.
        func appendFields(of line: Slice<UnsafeRawBufferPointer>,
                          dropping drop: (_ index: Int, _ field: Slice<UnsafeRawBufferPointer>) -> Bool) {
            var first = true
            for (index, field) in line.split(separator: space).enumerated() where !drop(index, field) {
                if !first { output.append(space) }
                output.append(contentsOf: field)
                first = false
            }
            output.append(UInt8(ascii: "\n"))
        }
        let lines = contents.split(separator: UInt8(ascii: "\n"))
        switch name {
        case "dev":
            // Interface names only; the counters grow with traffic.
            for line in lines {
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
                appendFields(of: line[..<colon]) { _, _ in false }
            }
        case "ipv6_route":
            // dest plen src splen nexthop metric refcnt use flags device: no refcnt, use.
            for line in lines { appendFields(of: line) { index, _ in index == 6 || index == 7 } }
        case "sockstat":
            // "TCP: inuse N orphan N tw N alloc N mem N", "UDP: inuse N mem N":
            // orphan, alloc and mem count the whole host ("FRAG: inuse N
            // memory N" counts the namespace's fragment queues and stays).
            for line in lines {
                var skipValue = false
                appendFields(of: line) { _, field in
                    if skipValue { skipValue = false; return true }
                    skipValue = hostWideSocketFields.contains { field.elementsEqual($0) }
                    return skipValue
                }
            }
        default:
            output.append(contentsOf: contents)
        }
    }

    /// Whether the namespace equals `reference`, the sysctls too when read.
    func matches(_ reference: NetworkNamespaceSnapshot) -> Bool {
        procNet == reference.procNet && (sysctls == nil || sysctls == reference.sysctls)
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
