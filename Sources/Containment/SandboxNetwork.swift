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
    /// the sandbox gets a fresh namespace, as with `.fresh`. The entry goes
    /// back to the pool only if the sandbox could not reach the kernel
    /// keyring (a `seccomp` filter refusing add_key, keyctl and request_key,
    /// as `SeccompFilter.defaultProfile()` does) and held none of
    /// CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_SYS_RESOURCE.
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
    /// payload could leave state in the entry that the check cannot read,
    /// else compared with a fresh namespace, its sysctls too unless the
    /// filesystem keeps /proc/sys read-only for everyone inside. Such state:
    ///
    /// - keys: the user keyrings of a user namespace (keyrings(7), "_uid.N")
    ///   live as long as the namespace, so the next sandbox would read them
    ///   unless seccomp refuses add_key(2), keyctl(2) and request_key(2);
    /// - with CAP_NET_ADMIN in the bounding set: nftables, qdiscs, xfrm;
    /// - with CAP_SYS_ADMIN: the user namespace's own binfmt_misc instance,
    ///   whose interpreters would run the next sandbox's programs;
    /// - with CAP_SYS_RESOURCE: the user namespace's limits (/proc/sys/user).
    var poolRecycleCheck: PoolRecycleCheck {
        if !resolvedCapabilities.bounding.isDisjoint(with: Self.poolUnsafeCapabilities) { return .discard }
        guard let seccomp, Self.keyringCalls.allSatisfy(seccomp.alwaysRefuses) else { return .discard }
        return .verify(sysctls: !(filesystem?.protectsSysctls ?? false))
    }

    private static let poolUnsafeCapabilities: CapabilitySet = [.netAdmin, .sysAdmin, .sysResource]
    private static let keyringCalls: [SystemCall] = ["add_key", "keyctl", "request_key"]
}
