import Containment
import Glibc
import TestSupport
import Testing

/// The running handle: exit status, signals, kill, limits, the init.
@Suite struct ProcessHandleTests {
    @Test func exitStatusPropagatesThroughTheInit() async throws {
        let (result, _) = try await Sandbox().probe(["exit", "7"])
        #expect(result.termination == .exited(7))
        #expect(result.verdict == .normal)
    }

    @Test func deathBySignalPropagatesThroughTheInit() async throws {
        let result = try await Sandbox().run("/bin/sh", ["-c", "kill -SEGV $$"])
        #expect(result.termination == .signaled(.segmentationFault))
        #expect(result.verdict == .normal)
    }

    @Test func sigtermSentToTheSandboxReachesThePayload() async throws {
        let process = try await Sandbox().spawn(TestEnvironment.probe, ["wait-signal"], output: .stream)
        var lines = try #require(process.standardOutput).makeAsyncIterator()
        let ready = try await lines.next()
        #expect(ready.map { String(decoding: $0, as: UTF8.self) } == "ready\n")
        try process.signal(.terminate)
        let result = try await process.wait()
        #expect(result.termination == .exited(42))
        let rest = try await process.standardOutput!.collect()
        #expect(String(decoding: rest, as: UTF8.self) == "got SIGTERM\n")
    }

    @Test func theInitReapsOrphans() async throws {
        let (_, underInit) = try await Sandbox().probe(["orphan"])
        #expect(underInit["orphan"] == "reaped")
        // Without the init, pid 1 is the probe, which never reaps: the
        // orphan stays a zombie. This shows the test can fail.
        var sandbox = Sandbox()
        sandbox.initProcess = .payload
        let (_, asInit) = try await sandbox.probe(["orphan"])
        #expect(asInit["orphan"] == "zombie")
    }

    @Test func killEndsEverythingWithVerdict() async throws {
        let process = try await Sandbox().spawn("/bin/sh", ["-c", "sleep 100 & sleep 100 & wait"])
        try process.kill()
        let result = try await process.wait()
        #expect(result.termination == .signaled(.kill))
        #expect(result.verdict == .killedOnRequest)
    }

    @Test func wallTimeLimitKillsWithVerdict() async throws {
        var sandbox = Sandbox()
        sandbox.wallTimeLimit = .milliseconds(200)
        let result = try await sandbox.run("/bin/sleep", ["30"])
        #expect(result.verdict == .wallTimeLimit)
        #expect(result.termination == .signaled(.kill))
        #expect(result.usage.wallTime < .seconds(10))
    }

    /// The limit is enforced from the event loop's thread: it holds while
    /// every thread of the cooperative pool is blocked (in a process of its
    /// own, so that no other test is starved). The result's wall time ends
    /// when the loop saw the sandbox end, not when a task got to wait for it.
    @Test func wallTimeLimitHoldsWhileThePoolIsBlocked() async throws {
        var host = Sandbox()
        host.namespaces = []
        let result = try await host.run(TestEnvironment.helper("containment-test-helper"), ["wall-time-under-load"], output: .string())
        let view = ProbeOutput(result.standardOutput)
        #expect(result.termination.isSuccess, "\(result.standardOutput)")
        let died = try #require(view["died-after-ms"].flatMap { Int($0) }, "\(result.standardOutput)")
        #expect(died < 2000, "the 200 ms limit fired only after \(died) ms, when the pool was free again")
        #expect(view["verdict"] == "\(Verdict.wallTimeLimit)")
        let wallTime = try #require(view["wall-time-ms"].flatMap { Int($0) }, "\(result.standardOutput)")
        #expect(wallTime < 2000, "the result's wall time \(wallTime) ms counts the wait for a free thread")
    }

    @Test func waitingTwiceGivesTheSameResult() async throws {
        let process = try await Sandbox().spawn("/bin/true")
        async let first = process.wait()
        async let second = process.wait()
        let (a, b) = try await (first, second)
        #expect(a == b)
        #expect(a.termination.isSuccess)
    }

    @Test func signalAfterExitIsESRCH() async throws {
        let process = try await Sandbox().spawn("/bin/true")
        _ = try await process.wait()
        #expect(throws: Errno.noSuchProcess) { try process.signal(.terminate) }
    }

    @Test func usageCountsTheCPUTimeOfThePayload() async throws {
        let result = try await Sandbox().run("/bin/sh", ["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
        #expect(result.termination.isSuccess)
        #expect(result.usage.cpuTime > .milliseconds(20))
        #expect(result.usage.peakMemory > 0)
    }

    /// Cancelling the task that runs a sandbox ends the sandbox: `run`
    /// throws at once instead of waiting out the payload's 30 s (the bound
    /// is half of that: on a host kept busy, reaping took up to 5.6 s).
    @Test func cancellingRunEndsTheSandbox() async throws {
        let task = Task { try await Sandbox().run("/bin/sleep", ["30"]) }
        try await Task.sleep(for: .milliseconds(300))
        let cancelled = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - cancelled < .seconds(15))
    }

    @Test func aRunCancelledBeforeItStartsThrows() async throws {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await Sandbox().run("/bin/true")
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func sixtyFourConcurrentSpawnsAllSucceed() async throws {
        var configured = Sandbox()
        configured.hostname = "concurrent"
        let sandbox = configured
        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<64 {
                group.addTask {
                    let result = try await sandbox.run("/bin/sh", ["-c", "echo \(index) $(hostname)"], output: .string())
                    #expect(result.termination.isSuccess)
                    return (index, result.standardOutput)
                }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(outputs.count == 64)
        for (index, output) in outputs { #expect(output == "\(index) concurrent\n") }
    }

    @Test func noDescriptorThreadOrZombieGrowthAfterAThousandSpawns() async throws {
        try await expectNoGrowth(leakCheck: ["1000"])
    }
}
