import Capabilities
import ContainmentSupport
import RootFS

/// Where a sandbox's network namespace comes from.
public struct SandboxNetwork: Sendable {
    private enum Kind: Sendable {
        case fresh
        case pooled(NetworkNamespacePool)
    }
    private let kind: Kind

    /// A new network namespace for each sandbox (clone3(2) `CLONE_NEWNET`)
    /// when `namespaces` has `.network`, with `lo` up when
    /// `isolation.loopbackUp`; the host's network otherwise.
    public static let fresh = SandboxNetwork(kind: .fresh)

    /// A user and network namespace pair from `pool`, entered with setns(2)
    /// (see ``NetworkNamespacePool``): a namespace indistinguishable from a
    /// fresh one, without its creation and teardown on the spawn path. Needs
    /// `.user`, `.network` and `.pid` in `namespaces`, `Sandbox.user` equal to
    /// the pool's mapping and `isolation.loopbackUp`. When the pool is empty
    /// the sandbox gets a fresh namespace, as with `.fresh`.
    public static func pooled(_ pool: NetworkNamespacePool) -> SandboxNetwork { SandboxNetwork(kind: .pooled(pool)) }

    /// The pool, for `.pooled`.
    public var pool: NetworkNamespacePool? {
        if case .pooled(let pool) = kind { return pool }
        return nil
    }
}

/// Gives a sandbox its pooled entry: the descriptors for the child's setns
/// steps before clone, the entry back to the pool once every process of the
/// sandbox is gone.
final class PoolSession: SpawnSession {
    private let core: PoolCore
    private let entry: PoolEntry
    private let check: PoolRecycleCheck

    init(core: PoolCore, entry: PoolEntry, check: PoolRecycleCheck) {
        self.core = core
        self.entry = entry
        self.check = check
    }

    func prepare(_ values: inout SpawnValues) throws {
        values.slots[NamespaceConfiguration.preparedUserSlot] = Int(entry.user)
        values.slots[NamespaceConfiguration.preparedNetworkSlot] = Int(entry.network)
    }

    func cleanUp() { core.giveBack(entry, check: check) }
}

extension Sandbox {
    /// How the pool checks an entry after this sandbox: discarded when the
    /// payload could hold CAP_NET_ADMIN (it could change what the check
    /// cannot read: nftables, qdiscs, xfrm), else compared with a fresh
    /// namespace, its sysctls too unless the filesystem keeps /proc/sys
    /// read-only for everyone inside.
    var poolRecycleCheck: PoolRecycleCheck {
        if resolvedCapabilities.bounding.contains(.netAdmin) { return .discard }
        return .verify(sysctls: !(filesystem?.protectsSysctls ?? false))
    }
}
