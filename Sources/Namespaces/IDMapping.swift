import Glibc

/// One line of /proc/PID/uid_map or gid_map: `count` ids starting at
/// `inside` in the namespace map to ids starting at `outside` on the host.
public struct IDMapRange: Sendable, Hashable, CustomStringConvertible {
    /// First id inside the namespace.
    public var inside: UInt32
    /// First id in the parent namespace.
    public var outside: UInt32
    /// Number of ids.
    public var count: UInt32

    /// Creates a range.
    public init(inside: UInt32, outside: UInt32, count: UInt32 = 1) {
        self.inside = inside
        self.outside = outside
        self.count = count
    }

    /// The line as the kernel reads it: "inside outside count".
    public var description: String { "\(inside) \(outside) \(count)" }
}

/// A user and group on the host.
public struct HostIdentity: Sendable, Hashable {
    /// The host uid.
    public var uid: UInt32
    /// The host gid.
    public var gid: UInt32

    /// Creates an identity.
    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }

    /// The effective uid and gid of the calling process.
    public static var currentUser: HostIdentity { HostIdentity(uid: geteuid(), gid: getegid()) }
}

/// The uid and gid maps of a new user namespace (user_namespaces(7)).
public struct UserNamespaceMapping: Sendable, Hashable {
    /// Lines of uid_map.
    public var uids: [IDMapRange]
    /// Lines of gid_map.
    public var gids: [IDMapRange]

    /// Creates maps from explicit ranges. More than one range, or a range
    /// other than the caller's own id, needs root or an /etc/subuid and
    /// /etc/subgid entry for the caller (newuidmap(1)).
    public init(uids: [IDMapRange], gids: [IDMapRange]) {
        self.uids = uids
        self.gids = gids
    }

    /// Root inside (uid and gid 0) is `host` outside; the one mapping every
    /// unprivileged user may write.
    public static func root(mappedTo host: HostIdentity) -> UserNamespaceMapping {
        UserNamespaceMapping(uids: [IDMapRange(inside: 0, outside: host.uid)],
                             gids: [IDMapRange(inside: 0, outside: host.gid)])
    }

    /// `host` keeps its own ids inside.
    public static func identity(_ host: HostIdentity) -> UserNamespaceMapping {
        UserNamespaceMapping(uids: [IDMapRange(inside: host.uid, outside: host.uid)],
                             gids: [IDMapRange(inside: host.gid, outside: host.gid)])
    }

    /// True when the maps are the caller's own uid and gid, one id each: the
    /// case an unprivileged process may write itself, with setgroups denied.
    public func isSelfMapping(for host: HostIdentity) -> Bool {
        uids.count == 1 && gids.count == 1 && uids[0].count == 1 && gids[0].count == 1
            && uids[0].outside == host.uid && gids[0].outside == host.gid
    }

    /// Whether `id` inside the namespace is mapped by `ranges`.
    static func maps(_ id: UInt32, in ranges: [IDMapRange]) -> Bool {
        ranges.contains { id >= $0.inside && UInt64(id) < UInt64($0.inside) + UInt64($0.count) }
    }

    /// Rejects maps the kernel would refuse: empty, overflowing, overlapping
    /// (inside or outside) or longer than 340 lines.
    public func validate() throws(NamespaceError) {
        for (field, ranges) in [("user.uids", uids), ("user.gids", gids)] {
            if ranges.isEmpty {
                throw NamespaceError(.invalidIDMap, field: field, "the map is empty; map at least one id, e.g. .root(mappedTo: .currentUser)")
            }
            if ranges.count > 340 {
                throw NamespaceError(.invalidIDMap, field: field, "\(ranges.count) ranges; the kernel accepts at most 340")
            }
            for range in ranges {
                if range.count == 0 {
                    throw NamespaceError(.invalidIDMap, field: field, "range \"\(range)\" maps no ids; give a count of 1 or more")
                }
                if UInt64(range.inside) + UInt64(range.count) > UInt64(UInt32.max)
                    || UInt64(range.outside) + UInt64(range.count) > UInt64(UInt32.max) {
                    throw NamespaceError(.invalidIDMap, field: field, "range \"\(range)\" goes past id 4294967294")
                }
            }
            for (index, a) in ranges.enumerated() {
                for b in ranges[(index + 1)...] {
                    if overlaps(a.inside, b.inside, a.count, b.count) {
                        throw NamespaceError(.overlappingIDMap, field: field, "ranges \"\(a)\" and \"\(b)\" overlap inside the namespace; make the inside ranges disjoint")
                    }
                    if overlaps(a.outside, b.outside, a.count, b.count) {
                        throw NamespaceError(.overlappingIDMap, field: field, "ranges \"\(a)\" and \"\(b)\" overlap on the host; make the outside ranges disjoint")
                    }
                }
            }
        }
    }
}

private func overlaps(_ a: UInt32, _ b: UInt32, _ countA: UInt32, _ countB: UInt32) -> Bool {
    UInt64(a) < UInt64(b) + UInt64(countB) && UInt64(b) < UInt64(a) + UInt64(countA)
}
