import Containment
import ContainmentSupport
import Glibc

/// `leak-check COUNT [--failing]`: spawns COUNT sandboxes of /bin/true
/// (with `--failing`: COUNT whose setup fails, at the exec of a missing
/// file), and prints the process's open descriptors, the SDK's threads
/// (those of Swift's executor come and go with the load) and unreaped
/// children before and after, as "fds BEFORE AFTER", "threads ...",
/// "zombies ...".
@Sendable func leakCheckSubcommand(_ arguments: [String]) async throws -> Int32 {
    let count = arguments.first.flatMap { Int($0) } ?? 1000
    let failing = arguments.contains("--failing")
    let command = try Sandbox().prepare(failing ? "/usr/bin/nosuch" : "/bin/true")
    /// One spawn; false when it did not end as it should.
    let spawn = { @Sendable () async -> Bool in
        do {
            let result = try await command.run()
            if !failing && result.termination.isSuccess { return true }
            print("error spawn ended \(result.termination)")
        } catch let error as SandboxError where failing && error.code == .setupFailed {
            return true
        } catch {
            print("error \(error)")
        }
        return false
    }
    // A few concurrent spawns first, so that the lazily created event loop,
    // spawn threads and init image, and every thread of Swift's cooperative
    // pool (one a core, started on demand), count as the baseline.
    let warmedUp = await withTaskGroup(of: Bool.self) { group in
        for _ in 0..<2 * max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) { group.addTask { await spawn() } }
        return await group.reduce(true) { $0 && $1 }
    }
    guard warmedUp else { return 1 }
    let before = snapshot()
    for _ in 0..<count {
        guard await spawn() else { return 1 }
    }
    let after = snapshot()
    print("fds \(before.fds) \(after.fds)")
    print("threads \(before.threads) \(after.threads)")
    print("zombies \(before.zombies) \(after.zombies)")
    return 0
}

private func snapshot() -> (fds: Int, threads: Int, zombies: Int) {
    (entries("/proc/self/fd"), sdkThreads(), zombieChildren())
}

/// The threads the SDK started, by their name (``threadNamePrefix``).
func sdkThreads() -> Int {
    (directoryEntries("/proc/self/task") ?? []).filter { task in
        (try? readText("/proc/self/task/\(task.name)/comm"))?.hasPrefix(threadNamePrefix) == true
    }.count
}

func entries(_ path: String) -> Int {
    guard let entries = directoryEntries(path) else { return -1 }
    return entries.count - (path.hasSuffix("/fd") ? 1 : 0)  // opendir's own descriptor
}

/// Children of this process in state Z, from each thread's children list.
func zombieChildren() -> Int {
    var zombies = 0
    guard let tasks = directoryEntries("/proc/self/task") else { return -1 }
    for tid in tasks.map(\.name) {
        guard let children = try? readText("/proc/self/task/\(tid)/children") else { continue }
        for child in children.split(separator: " ") {
            if let stat = try? readText("/proc/\(child)/stat"), let close = stat.lastIndex(of: ")"),
               stat[stat.index(close, offsetBy: 2)] == "Z" { zombies += 1 }
        }
    }
    return zombies
}
