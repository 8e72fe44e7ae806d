import Capabilities
import Containment
import ContainmentSupport
import Glibc
import TestSupport
import Testing

/// The network namespace pool: a pooled sandbox's namespace, also a recycled
/// one, looks exactly as a fresh one from inside.
@Suite(.serialized) struct NetworkNamespacePoolTests {
    /// The network view of a fresh (non-pooled) default sandbox.
    static func freshView() async throws -> [String] {
        let (_, view) = try await Sandbox().probe(["netview"])
        return view.lines.map { "\($0.key) \($0.value)" }
    }

    /// A default sandbox on `pool` whose entries the pool may recycle: its
    /// seccomp filter keeps it from the kernel keyring, whose keys would
    /// outlive it in the entry's user namespace.
    static func recyclable(_ pool: NetworkNamespacePool) -> Sandbox {
        var sandbox = Sandbox()
        sandbox.network = .pooled(pool)
        sandbox.seccomp = .defaultProfile()
        return sandbox
    }

    static func view(_ sandbox: Sandbox) async throws -> (net: [String], inode: String?) {
        let (result, view) = try await sandbox.probe(["netview", "ns"])
        #expect(result.termination.isSuccess)
        let net = view.lines.filter { $0.key != "ns" }.map { "\($0.key) \($0.value)" }
        return (net, view.all("ns").first { $0.hasPrefix("net ") })
    }

    @Test func pooledSandboxSeesWhatAFreshOneSees() async throws {
        let pool = try NetworkNamespacePool(size: 2)
        defer { pool.close() }
        var sandbox = Sandbox()
        sandbox.network = .pooled(pool)
        let fresh = try await Self.freshView()
        let (pooled, _) = try await Self.view(sandbox)
        #expect(pooled == fresh)
        #expect(pooled.contains { $0.hasPrefix("link lo ") })
        #expect(pooled.filter { $0.hasPrefix("link ") }.count == 1)
        #expect(pooled.contains("net fib_trie         |-- 127.0.0.1"))
        let (_, interfaces) = try await sandbox.probe(["interfaces", "ids"])
        #expect(interfaces.all("interface") == ["lo UP"])
        #expect(interfaces["pid"] == "2")
        #expect(interfaces["uid"] == "0")
        #expect(pool.statistics.hits == 2)
    }

    @Test func leftoverDaemonSocketIsGoneAndTheEntryIsRecycled() async throws {
        let pool = try NetworkNamespacePool(size: 1)
        defer { pool.close() }
        let sandbox = Self.recyclable(pool)
        let (first, firstInode) = try await Self.view(sandbox)
        await pool.settle()
        let (result, served) = try await sandbox.probe(["serve", "8080", "ns"])
        #expect(result.termination.isSuccess)
        #expect(served["serving"] == "8080 ok")
        await pool.settle()
        let (after, inode) = try await Self.view(sandbox)
        #expect(after == first)
        #expect(after == (try await Self.freshView()))
        // The same entry came back: the check found it clean.
        #expect(inode == firstInode)
        #expect(pool.statistics.recycled >= 2)
        #expect(pool.statistics.discarded == 0)
    }

    /// A socket of the namespace that outlives its sandbox by a few
    /// milliseconds (as the kernel's own deferred freeing of a sandbox's last
    /// sockets does, by 1–3 ms) does not cost the entry: the check is
    /// repeated before an entry is discarded. Here a host process holds the
    /// socket until 4 ms after the sandbox ended, so the first check, made
    /// as soon as the sandbox was reaped, finds it.
    @Test func aSocketFreedJustAfterTheSandboxEndedDoesNotCostTheEntry() async throws {
        guard TestEnvironment.hasRoot(for: "a host process entering the pooled network namespace") else { return }
        let pool = try NetworkNamespacePool(size: 1)
        defer { pool.close() }
        let sandbox = Self.recyclable(pool)
        let (before, entry) = try await Self.view(sandbox)
        await pool.settle()
        let process = try await sandbox.spawn("/bin/sleep", ["0.3"])
        let pipe = try makePipe()
        defer { close(pipe.read.rawValue) }
        let holder = try HostProcess(TestEnvironment.probe, ["linger-socket", String(process.pid), "4"],
                                     standardOutput: pipe.write.rawValue)
        close(pipe.write.rawValue)
        var ready = [UInt8](repeating: 0, count: 13)
        #expect(read(pipe.read.rawValue, &ready, ready.count) == ready.count)
        #expect(String(decoding: ready, as: UTF8.self) == "lingering ok\n")
        _ = try await process.wait()
        await pool.settle()
        #expect(holder.wait() == 0)
        let (after, entryAfter) = try await Self.view(sandbox)
        #expect(after == before)
        #expect(entryAfter == entry)
        #expect(pool.statistics.discarded == 0)
        #expect(pool.statistics.recycled >= 2)
    }

    @Test func changedSysctlsAreNotHandedOn() async throws {
        let pool = try NetworkNamespacePool(size: 1)
        defer { pool.close() }
        let sandbox = Self.recyclable(pool)
        let (_, wrote) = try await sandbox.probe([
            "sysctl-write", "/proc/sys/net/ipv4/ip_default_ttl", "99",
            "sysctl-write", "/proc/sys/net/ipv4/ping_group_range", "0 0",
            "netview",
        ])
        #expect(wrote.all("sysctl-write") == ["/proc/sys/net/ipv4/ip_default_ttl ok", "/proc/sys/net/ipv4/ping_group_range ok"])
        #expect(wrote.all("sysctl").contains("/proc/sys/net/ipv4/ip_default_ttl 99 "))
        await pool.settle()
        #expect(pool.statistics.discarded == 1)
        let (after, _) = try await Self.view(sandbox)
        let fresh = try await Self.freshView()
        #expect(after == fresh, "\(Set(after).symmetricDifference(fresh))")
        #expect(after.contains("sysctl /proc/sys/net/ipv4/ip_default_ttl 64 "))
        #expect(!after.contains("sysctl /proc/sys/net/ipv4/ping_group_range 0 0 "))
    }

    @Test func networkAdministratorsNeverHandOnTheirNamespace() async throws {
        let pool = try NetworkNamespacePool(size: 1)
        defer { pool.close() }
        var admin = Self.recyclable(pool)
        admin.capabilities = .root(CapabilitySet.containerDefault.union([.netAdmin]))
        let result = try await admin.run("/bin/sh", ["-c", "PATH=/usr/sbin:/usr/bin:/sbin:/bin; ip link add d0 type dummy 2>/dev/null; ip addr add 10.9.9.9/32 dev lo && ip route add 10.8.0.0/16 dev lo && ip addr show lo | grep -c 10.9.9.9"], output: .string(), error: .string())
        #expect(result.standardOutput == "1\n", "\(result.standardError)")
        await pool.settle()
        #expect(pool.statistics.discarded == 1)
        var sandbox = Sandbox()
        sandbox.network = .pooled(pool)
        let (after, _) = try await Self.view(sandbox)
        #expect(after == (try await Self.freshView()))
    }

    /// CAP_SYS_ADMIN reaches the user namespace's binfmt_misc instance and
    /// CAP_SYS_RESOURCE its limits (/proc/sys/user), neither of which the
    /// check reads: a sandbox that could hold either never hands its entry on.
    @Test(arguments: [Capability.sysAdmin, .sysResource])
    func capabilitiesOverTheUserNamespaceDiscardTheEntry(_ capability: Capability) async throws {
        let pool = try NetworkNamespacePool(size: 1)
        defer { pool.close() }
        var sandbox = Self.recyclable(pool)
        sandbox.capabilities = .root(CapabilitySet.containerDefault.union([capability]))
        #expect(try await sandbox.run("/bin/true").termination.isSuccess)
        await pool.settle()
        #expect(pool.statistics.discarded == 1)
        sandbox.capabilities = .root(CapabilitySet.containerDefault)
        #expect(try await sandbox.run("/bin/true").termination.isSuccess)
        await pool.settle()
        #expect(pool.statistics.recycled == 1)
    }

    /// The TCP metrics cache (round-trip times of closed connections by
    /// peer) shows in no file the check reads; a recycled entry has it
    /// emptied. The connection is reset, so that no TIME_WAIT socket makes
    /// the check discard the entry anyway.
    @Test func loopbackTCPMetricsAreNotHandedOn() async throws {
        let pool = try NetworkNamespacePool(size: 1)
        defer { pool.close() }
        let sandbox = Self.recyclable(pool)
        let metrics = "PATH=/usr/sbin:/usr/bin:/sbin:/bin; ip tcp_metrics show"
        let first = try await sandbox.run("/bin/sh", ["-c", "\(TestEnvironment.probe) loopback-rst 9099 && \(metrics)"],
                                          output: .string(), error: .string())
        #expect(first.standardOutput.hasPrefix("loopback-rst 9099 ok\n127.0.0.1 "), "\(first.standardOutput)\(first.standardError)")
        await pool.settle()
        #expect(pool.statistics.recycled == 1)
        let second = try await sandbox.run("/bin/sh", ["-c", metrics], output: .string(), error: .string())
        #expect(second.termination.isSuccess, "\(second.standardError)")
        #expect(second.standardOutput == "")
    }

    /// Keys a sandbox adds to its user keyring live as long as the entry's
    /// user namespace: a sandbox whose filter lets it reach the keyring
    /// never hands its entry on, one whose filter refuses it does.
    @Test func keysNeverReachTheNextSandbox() async throws {
        let pool = try NetworkNamespacePool(size: 1)
        defer { pool.close() }
        var open = Sandbox()
        open.network = .pooled(pool)
        let (_, first) = try await open.probe(["keyring", "tenant-secret"])
        #expect(first["key"]?.hasPrefix("tenant-secret added secret-of-") == true, "\(first)")
        await pool.settle()
        #expect(pool.statistics.discarded == 1)
        let (_, second) = try await open.probe(["keyring", "tenant-secret"])
        #expect(second["key"]?.hasPrefix("tenant-secret added") == true, "\(second)")
        await pool.settle()
        let filtered = Self.recyclable(pool)
        let (_, refused) = try await filtered.probe(["keyring", "tenant-secret"])
        #expect(refused["key"] == "tenant-secret added EPERM")
        await pool.settle()
        #expect(pool.statistics.recycled == 1)
        #expect(pool.statistics.discarded == 2)
    }

    @Test func concurrentSpawnsGetDistinctNamespacesAndAnEmptyPoolFallsBack() async throws {
        let pool = try NetworkNamespacePool(size: 32, targetSize: 0)
        defer { pool.close() }
        var sandbox = Sandbox()
        sandbox.network = .pooled(pool)
        let command = try sandbox.prepare(TestEnvironment.probe, ["wait-signal"])
        let running = try await withThrowingTaskGroup(of: SandboxProcess.self) { group in
            for _ in 0..<64 { group.addTask { try await command.spawn(output: .stream) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let inodes = Set(running.compactMap { try? NamespaceIdentity(of: .network, pid: $0.pid).inode })
        #expect(inodes.count == 64)
        #expect(pool.statistics.hits == 32)
        #expect(pool.statistics.misses == 32)
        #expect(pool.statistics.inUse == 32)
        for process in running { try process.kill() }
        for process in running { _ = try await process.wait() }
        #expect(pool.statistics.inUse == 0)
    }

    @Test func configurationsThePoolCannotServeAreRejected() async throws {
        let pool = try NetworkNamespacePool(size: 0)
        defer { pool.close() }
        var sandbox = Sandbox()
        sandbox.network = .pooled(pool)
        sandbox.user = .root(mappedTo: HostIdentity(uid: 12345, gid: 12345))
        #expect(throws: SandboxError.self) { try sandbox.plan("/bin/true") }
        sandbox.user = .root(mappedTo: .currentUser)
        sandbox.namespaces.remove(.pid)
        #expect(throws: SandboxError.self) { try sandbox.plan("/bin/true") }
        sandbox.namespaces.insert(.pid)
        let plan = try sandbox.plan("/bin/true")
        #expect(plan.description.hasPrefix("clone3 []"))
        #expect(plan.childSteps.contains("clone into the new pid namespace"))
        // An empty pool: the spawn falls back to a fresh namespace.
        let result = try await sandbox.run("/bin/true")
        #expect(result.termination.isSuccess)
        #expect(pool.statistics.misses == 1)
    }

    @Test func rootlessPoolServesAnUnprivilegedUser() async throws {
        guard TestEnvironment.hasRoot(for: "switching to the nobody user") else { return }
        var host = Sandbox()
        host.namespaces = []
        host.identity = Identity(uid: 65534, gid: 65534)
        let result = try await host.run(TestEnvironment.helper("containment-test-helper"),
                                        ["pool-probe", TestEnvironment.probe, "netview", "ids", "maps"],
                                        output: .string(), error: .string())
        let view = ProbeOutput(result.standardOutput)
        #expect(result.termination.isSuccess, "\(result.standardOutput)\(result.standardError)")
        let runs = view.lines.split { $0.key == "run" }.map { $0.filter { $0.key != "termination" && $0.key != "statistics" }.map { "\($0.key) \($0.value)" } }
        try #require(runs.count == 3, "\(view)")
        #expect(runs[0] == runs[2])
        #expect(runs[1] == runs[2])
        #expect(runs[0].contains("uid 0"))
        #expect(runs[0].contains { $0.hasPrefix("uid_map") && $0.split(separator: " ").dropFirst().joined(separator: " ") == "0 65534 1" })
        #expect(view["statistics"]?.contains("hits 2") == true, "\(view)")
    }

    @Test func poolLeavesNothingBehind() async throws {
        let helper = TestEnvironment.helper("containment-test-helper")
        var host = Sandbox()
        host.namespaces = []
        host.noNewPrivileges = false
        host.capabilities = nil
        let result = try await host.run(helper, ["pool-leak-check", "300"], output: .string(), error: .string())
        #expect(result.termination.isSuccess, "\(result.standardOutput)\(result.standardError)")
        let view = ProbeOutput(result.standardOutput)
        let fds = try #require(view["fds"]).split(separator: " ").compactMap { Int($0) }
        try #require(fds.count == 3, "\(view)")
        #expect(fds[2] == fds[0], "\(view)")
        #expect(fds[1] <= fds[0] + 2 * 4 + 2, "\(view)")
        let threads = try #require(view["threads"]).split(separator: " ").compactMap { Int($0) }
        // The pool's own thread runs while the pool is open, and ends at close.
        #expect(threads.count == 3 && threads[1] == threads[0] + 1 && threads[2] == threads[0], "\(view)")
        #expect(view["zombies"] == "0 0 0", "\(view)")
        #expect(view["children"]?.split(separator: " ").last == "0", "\(view)")
        #expect(view["statistics"]?.contains("hits 0") == false, "\(view)")
    }
}
