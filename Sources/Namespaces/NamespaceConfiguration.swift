import CContainment
import ContainmentSupport
import Glibc

/// Which namespaces a sandbox creates or joins, and how they are set up.
public struct NamespaceConfiguration: Sendable, Hashable {
    /// Namespaces created new for the sandbox (clone3 `CLONE_NEW*`).
    public var namespaces: NamespaceSet
    /// Hostname in the new UTS namespace (sethostname(2)); nil keeps the host's.
    public var hostname: String?
    /// NIS domain name in the new UTS namespace (setdomainname(2)).
    public var domainName: String?
    /// uid and gid maps of the new user namespace.
    public var userMapping: UserNamespaceMapping
    /// Clock offsets of the new time namespace; needs `.time` in `namespaces`.
    public var timeOffsets: TimeOffsets
    /// Existing namespaces to enter with setns(2).
    public var joins: [NamespaceJoin]
    /// Bring up `lo` in a new network namespace (SIOCSIFFLAGS IFF_UP).
    public var loopbackUp: Bool

    /// Creates a configuration; the defaults are the seven container
    /// namespaces, root inside mapped to the calling user, loopback up.
    public init(
        namespaces: NamespaceSet = .all,
        hostname: String? = nil,
        domainName: String? = nil,
        userMapping: UserNamespaceMapping = .root(mappedTo: .currentUser),
        timeOffsets: TimeOffsets = .zero,
        joins: [NamespaceJoin] = [],
        loopbackUp: Bool = true
    ) {
        self.namespaces = namespaces
        self.hostname = hostname
        self.domainName = domainName
        self.userMapping = userMapping
        self.timeOffsets = timeOffsets
        self.joins = joins
        self.loopbackUp = loopbackUp
    }

    /// The kinds the sandbox ends up in that are not the host's: created or joined.
    public var isolated: NamespaceSet {
        namespaces.union(NamespaceSet(joins.map(\.kind.flag)))
    }

    /// Rejects configurations the kernel would refuse, naming the field.
    public func validate() throws(NamespaceError) {
        if namespaces.contains(.user) { try userMapping.validate() }
        for (field, name) in [("hostname", hostname), ("domainName", domainName)] {
            guard let name else { continue }
            if !isolated.contains(.uts) {
                throw NamespaceError(.namespaceNotCreated, field: field, "setting it needs a UTS namespace; add .uts to namespaces")
            }
            if name.utf8.count > 64 || name.utf8.contains(0) {
                throw NamespaceError(.invalidHostname, field: field, "\"\(name)\" is \(name.utf8.count) bytes; the kernel takes at most 64 and no NUL")
            }
        }
        if timeOffsets != .zero && !namespaces.contains(.time) {
            throw NamespaceError(.namespaceNotCreated, field: "timeOffsets", "clock offsets need a new time namespace; add .time to namespaces")
        }
        var joined: Set<NamespaceKind> = []
        for join in joins {
            if namespaces.contains(join.kind.flag) {
                throw NamespaceError(.conflictingJoin, field: "joins", "the \(join.kind) namespace is both created and joined (\(join)); remove .\(join.kind) from namespaces or drop the join")
            }
            if !joined.insert(join.kind).inserted {
                throw NamespaceError(.conflictingJoin, field: "joins", "the \(join.kind) namespace is joined twice")
            }
        }
    }

    /// Whether the child must wait for the parent to write id maps.
    package var needsIDMaps: Bool { namespaces.contains(.user) }

    /// The slot holding the descriptor of a namespace to join, opened by the
    /// parent for each spawn.
    package static func joinSlot(_ kind: NamespaceKind) -> StepSlot { StepSlot("join.\(kind.name)") }

    /// The slot holding the descriptor of a prepared user namespace (a pool
    /// entry's) that the child enters instead of creating one.
    package static let preparedUserSlot = StepSlot("prepared.user")
    /// The slot holding the descriptor of a prepared network namespace,
    /// owned by the prepared user namespace.
    package static let preparedNetworkSlot = StepSlot("prepared.net")

    /// The namespaces the clone itself creates: all of `namespaces`, or none
    /// when the child enters a prepared user and network namespace (it then
    /// creates the others with unshare(2), owned by that user namespace).
    package func cloneNamespaces(preparedNetwork: Bool) -> NamespaceSet {
        preparedNetwork ? [] : namespaces
    }

    /// The child's steps: joins, time offsets, loopback, hostname.
    ///
    /// With `preparedNetwork`, the child is cloned without new namespaces:
    /// it enters the prepared user namespace and then the network namespace
    /// it owns (setns(2); the owner of a user namespace has every capability
    /// in it), creates the remaining kinds with unshare(2) so that the
    /// prepared user namespace owns them, and, for a pid namespace, clones
    /// the rest of the plan into it. Loopback is already up.
    package func setupSteps(preparedNetwork: Bool = false) -> [SetupStep] {
        var steps: [SetupStep] = []
        if preparedNetwork {
            steps.append(.syscall(.joinNamespaces, "setns the pooled user namespace", Int(SYS_setns),
                                  .slot(Self.preparedUserSlot), .integer(Int(NamespaceSet.user.rawValue))))
            steps.append(.syscall(.joinNamespaces, "setns the pooled network namespace", Int(SYS_setns),
                                  .slot(Self.preparedNetworkSlot), .integer(Int(NamespaceSet.network.rawValue))))
        }
        let ordered = NamespaceKind.allCases.compactMap { kind in joins.first { $0.kind == kind } }
        for join in ordered {
            steps.append(.syscall(.joinNamespaces, "setns \(join.path)", Int(SYS_setns),
                                  .slot(Self.joinSlot(join.kind)), .integer(Int(join.kind.flag.rawValue))))
        }
        if preparedNetwork {
            let rest = namespaces.subtracting([.user, .network])
            if !rest.isEmpty {
                steps.append(.syscall(.joinNamespaces, "unshare \(rest)", Int(SYS_unshare), .integer(Int(rest.rawValue))))
            }
            if rest.contains(.pid) {
                steps.append(SetupStep(.joinNamespaces, "clone into the new pid namespace", .cloneIntoPidNamespace))
            }
        }
        if timeOffsets != .zero {
            steps += writeFileSteps(.namespaceSetup, "/proc/self/timens_offsets", Array(timeOffsets.procText.utf8))
        }
        if namespaces.contains(.network) && loopbackUp && !preparedNetwork {
            steps += loopbackSteps()
        }
        if let hostname {
            steps.append(.syscall(.hostname, "sethostname \(hostname)", Int(SYS_sethostname),
                                  .string(hostname), .integer(hostname.utf8.count)))
        }
        if let domainName {
            steps.append(.syscall(.hostname, "setdomainname \(domainName)", Int(SYS_setdomainname),
                                  .string(domainName), .integer(domainName.utf8.count)))
        }
        return steps
    }

    /// Brings `lo` up: a socket, SIOCSIFFLAGS IFF_UP, close.
    package func loopbackSteps() -> [SetupStep] {
        let socketSlot = StepSlot("loopback.socket")
        // struct ifreq: 16 bytes of name, then ifr_flags; 40 bytes in all.
        var request = [UInt8](repeating: 0, count: 40)
        request.replaceSubrange(0..<2, with: Array("lo".utf8))
        request[16] = UInt8(IFF_UP)
        return [
            .syscall(.namespaceSetup, "socket for loopback", Int(SYS_socket),
                     .integer(Int(AF_INET)), .integer(Int(SOCK_DGRAM.rawValue) | Int(SOCK_CLOEXEC.rawValue)), .integer(0),
                     result: socketSlot),
            .syscall(.namespaceSetup, "bring up lo", Int(SYS_ioctl),
                     .slot(socketSlot), .integer(Int(SIOCSIFFLAGS)), .bytes(request)),
            .syscall(.namespaceSetup, "close loopback socket", Int(SYS_close), .slot(socketSlot)),
        ]
    }
}
