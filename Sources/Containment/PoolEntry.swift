import Glibc

/// One pooled pair: descriptors of a user namespace and of the network
/// namespace it owns.
final class PoolEntry: Sendable {
    let user: Int32
    let network: Int32
    /// The network namespace's inode, as /proc/PID/ns/net shows it.
    let inode: UInt64

    init(user: Int32, network: Int32) {
        self.user = user
        self.network = network
        var info = stat()
        inode = fstat(network, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    func close() {
        Glibc.close(user)
        Glibc.close(network)
    }
}

/// How an entry is checked when its sandbox ends.
enum PoolRecycleCheck: Sendable, Hashable {
    /// Close it: the sandbox could have changed what the check cannot read.
    case discard
    /// Compare it with a fresh namespace; `sysctls`: the sysctls too.
    case verify(sysctls: Bool)
}
