import Containment
import Glibc

/// `wall-time-under-load`: spawns `sleep 30` under a 200 ms wall-time limit,
/// then blocks every thread of the cooperative pool for three seconds and
/// waits (without reaping) for the sandbox to die. Prints `died-after-ms N`,
/// and the result's `verdict V` and `wall-time-ms N` (asked for only once
/// the pool is free again).
@Sendable func wallTimeUnderLoadSubcommand(_ arguments: [String]) async throws -> Int32 {
    var sandbox = Sandbox()
    sandbox.wallTimeLimit = .milliseconds(200)
    let process = try await sandbox.spawn("/bin/sleep", ["30"])
    let start = ContinuousClock.now
    // The pool has a thread per core: one blocker each, and this task
    // blocks one more.
    for _ in 0..<sysconf(Int32(_SC_NPROCESSORS_ONLN)) {
        Task.detached { usleep(3_000_000) }
    }
    var info = siginfo_t()
    _ = waitid(P_PID, id_t(process.pid), &info, WEXITED | WNOWAIT | Int32(bitPattern: 0x4000_0000) /* __WALL */)
    print("died-after-ms \(milliseconds(ContinuousClock.now - start))")
    let ended = try await process.wait()
    print("verdict \(ended.verdict)")
    print("wall-time-ms \(milliseconds(ended.usage.wallTime))")
    return 0
}

private func milliseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
}
