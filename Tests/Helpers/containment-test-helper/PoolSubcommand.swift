import Containment
import ContainmentSupport
import Glibc

/// `pool-probe PROBE ARGS...`: runs the probe twice in a default sandbox
/// under the default seccomp profile (which keeps entries recyclable) with a
/// network namespace from a pool of one (the second run gets the entry the
/// first returned, once checked) and once with a fresh namespace, printing
/// each run's output after a "run pooled|recycled|fresh" line, then the
/// pool's statistics as "statistics ...".
@Sendable func poolProbeSubcommand(_ arguments: [String]) async throws -> Int32 {
    guard let probe = arguments.first else { return 2 }
    let pool = try NetworkNamespacePool(size: 1)
    var sandbox = Sandbox()
    sandbox.network = .pooled(pool)
    sandbox.seccomp = .defaultProfile()
    for label in ["pooled", "recycled"] {
        let result = try await sandbox.run(probe, Array(arguments.dropFirst()), output: .string())
        print("run \(label)")
        print(result.standardOutput, terminator: "")
        print("termination \(result.termination)")
        await pool.settle()
    }
    sandbox.network = .fresh
    let fresh = try await sandbox.run(probe, Array(arguments.dropFirst()), output: .string())
    print("run fresh")
    print(fresh.standardOutput, terminator: "")
    print("statistics \(pool.statistics)")
    pool.close()
    return 0
}

/// `pool-leak-check COUNT`: after a warm-up cycle, makes a pool of 4, spawns
/// COUNT pooled sandboxes of /bin/true, closes the pool, and prints the
/// open descriptors, the SDK's threads, unreaped children and children
/// before the pool, after the spawns and after close, as
/// "fds BEFORE DURING AFTER", "threads ...", "zombies ...", "children ...".
@Sendable func poolLeakCheckSubcommand(_ arguments: [String]) async throws -> Int32 {
    let count = arguments.first.flatMap { Int($0) } ?? 200
    // Warm every lazy part of the SDK and the runtime first (event loop,
    // spawn threads, init image, timers) with a pool used and closed the
    // same way, so that only what a pool keeps after close counts.
    func cycle(_ count: Int) async throws -> (during: (fds: Int, threads: Int, zombies: Int, children: Int), statistics: String)? {
        let pool = try NetworkNamespacePool(size: 4)
        var sandbox = Sandbox()
        sandbox.network = .pooled(pool)
        let command = try sandbox.prepare("/bin/true")
        for _ in 0..<count {
            let result = try await command.run()
            guard result.termination.isSuccess else {
                print("error spawn ended \(result.termination)")
                return nil
            }
        }
        await pool.settle()
        let during = processSnapshot()
        let statistics = "\(pool.statistics)"
        pool.close()
        try? await Task.sleep(for: .milliseconds(100))
        return (during, statistics)
    }
    guard try await cycle(8) != nil else { return 1 }
    let before = processSnapshot()
    guard let (during, statistics) = try await cycle(count) else { return 1 }
    let after = processSnapshot()
    print("fds \(before.fds) \(during.fds) \(after.fds)")
    print("threads \(before.threads) \(during.threads) \(after.threads)")
    print("zombies \(before.zombies) \(during.zombies) \(after.zombies)")
    print("children \(before.children) \(during.children) \(after.children)")
    print("statistics \(statistics)")
    for fd in 0..<256 where fcntl(Int32(fd), F_GETFD) != -1 {
        var target = [UInt8](repeating: 0, count: 256)
        let count = readlink("/proc/self/fd/\(fd)", &target, 255)
        print("open \(fd) \(String(decoding: target.prefix(max(0, count)), as: UTF8.self))")
    }
    return 0
}

private func processSnapshot() -> (fds: Int, threads: Int, zombies: Int, children: Int) {
    var children = 0
    for tid in (directoryEntries("/proc/self/task") ?? []).map(\.name) {
        guard let list = try? readText("/proc/self/task/\(tid)/children") else { continue }
        children += list.split(separator: " ").count
    }
    return (entries("/proc/self/fd"), sdkThreads(), zombieChildren(), children)
}
