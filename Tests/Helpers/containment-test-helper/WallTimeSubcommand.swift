import Containment
import Glibc

/// `wall-time-under-load`: spawns `sleep 30` under a 200 ms wall-time limit,
/// then blocks every thread of the cooperative pool for three seconds and
/// waits (without reaping) for the sandbox to die. Prints
/// `died-after-ms N` and `verdict V`.
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
    let elapsed = ContinuousClock.now - start
    print("died-after-ms \(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)")
    print("verdict \(try await process.wait().verdict)")
    return 0
}
