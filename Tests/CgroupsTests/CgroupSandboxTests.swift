@testable import Cgroups
import Containment
import ContainmentSupport
import Glibc
import Testing
import TestSupport

/// The acceptance of the Cgroups layer, on the real kernel: run as root on
/// this host (hybrid) and in the pure-v2 and pure-v1 guests
/// (Scripts/cgroup2-vm.sh, with --v1 for v1).
/// `.serialized`: the CPU measurements must not compete with each other.
@Suite(.serialized) struct CgroupSandboxTests {
    @Test func memoryHogEndsWithTheMemoryLimitVerdictAndAnOOMEvent() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup limits") else { return }
        let process = try await CgroupTest.sandbox(ResourceLimits(memoryMax: 32 << 20))
            .spawn(TestEnvironment.probe, ["alloc", "100"], output: .collected())
        let cgroup = try #require(process.cgroup)
        // The payload dies, so the sequence reaches `empty` and the loop ends.
        var events: [CgroupEvent] = []
        for await event in cgroup.events() {
            events.append(event)
            if event.kind == .empty { break }
        }
        let statistics = try cgroup.statistics()
        let result = try await process.wait()
        #expect(events.first?.kind == .oomKill && events.first?.total ?? 0 >= 1, "events: \(events)")
        #expect(statistics.oomKills >= 1)
        #expect(statistics.memoryPeak ?? 0 <= 33 << 20)
        #expect(result.verdict == .memoryLimit)
        #expect(result.termination == .signaled(.kill))
        #expect(result.usage.peakMemory > 16 << 20)
        // The host is fine: the next sandbox runs normally.
        let next = try await Sandbox().run("/bin/true")
        #expect(next.termination == .exited(0))
        #expect(try CgroupTest.leftovers().isEmpty)
    }

    @Test func forkBombStaysUnderPidsMaxAndIsReported() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup limits") else { return }
        let process = try await CgroupTest.sandbox(ResourceLimits(pidsMax: 32)).spawn(TestEnvironment.probe, ["forkbomb"])
        let cgroup = try #require(process.cgroup)
        let waiter = Task { try await process.wait() }
        // The processes themselves, not pids.current: a fork refused at the
        // limit adds one to the counter before taking it back, so a read can
        // see 33 (seen on pure v2) while no 33rd process ever exists.
        var most = 0
        while let current = try? cgroup.processes().count, cgroup.exists {
            most = max(most, current)
            try await Task.sleep(for: .milliseconds(5))
        }
        let result = try await waiter.value
        #expect(most > 1 && most <= 32, "most processes seen: \(most)")
        #expect(result.verdict == .pidsLimit && result.termination == .exited(1), "\(result.termination) \(result.verdict)")
        #expect(try CgroupTest.leftovers().isEmpty)
        #expect(try await Sandbox().run("/bin/true").termination == .exited(0))
    }

    /// A quota is an upper bound: usage is read from the cgroup's own CPU
    /// counter, so other load on the machine can only lower it. The bounds
    /// are the acceptance's 20% ± 5 points at the top; at the bottom, half
    /// the quota, as the spinner competes with builds on two cores.
    @Test func cpuQuotaBoundsUsageAndChangesLive() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup limits") else { return }
        let process = try await CgroupTest.sandbox(ResourceLimits(cpuQuota: .cores(0.2))).spawn(TestEnvironment.probe, ["spin"])
        let cgroup = try #require(process.cgroup)
        try await Task.sleep(for: .milliseconds(200))
        let first = try await CgroupTest.cpuUsagePerSecond(of: cgroup, over: .seconds(2))
        var limits = cgroup.limits
        limits.cpuQuota = .cores(0.5)
        try cgroup.update(limits)
        try await Task.sleep(for: .milliseconds(100))
        let second = try await CgroupTest.cpuUsagePerSecond(of: cgroup, over: .seconds(2))
        let throttled = try cgroup.statistics().throttledPeriods ?? 0
        try process.kill()
        let result = try await process.wait()
        #expect(first <= .milliseconds(250) && first >= .milliseconds(100), "20% quota used \(first) per second")
        #expect(second <= .milliseconds(550) && second >= first + .milliseconds(100), "50% quota used \(second) per second")
        #expect(throttled > 0)
        #expect(result.verdict == .killedOnRequest)
    }

    @Test func cpusetMovesThePayloadLive() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup limits") else { return }
        guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2 else { return }
        let path = CgroupTest.reportPath()
        defer { CgroupTest.removeReport(path) }
        let process = try await CgroupTest.sandbox(ResourceLimits(cpus: [0])).spawn(TestEnvironment.probe, ["report", path])
        let cgroup = try #require(process.cgroup)
        #expect(await CgroupTest.eventually { CgroupTest.report(path)?.cpus == "0" })
        var limits = cgroup.limits
        limits.cpus = [1]
        try cgroup.update(limits)
        #expect(await CgroupTest.eventually { CgroupTest.report(path)?.cpus == "1" })
        try process.kill()
        _ = try await process.wait()
    }

    /// Pinning a sandbox started without any CPU limit: on v1 the cpuset
    /// controller is added live and the processes moved in while frozen.
    @Test func pinningASandboxStartedWithoutCpuset() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup limits") else { return }
        guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2 else { return }
        let path = CgroupTest.reportPath()
        defer { CgroupTest.removeReport(path) }
        let process = try await CgroupTest.sandbox(ResourceLimits()).spawn(TestEnvironment.probe, ["report", path])
        let cgroup = try #require(process.cgroup)
        #expect(await CgroupTest.eventually { CgroupTest.report(path)?.cpus == "0-1" })
        var limits = cgroup.limits
        limits.cpus = [1]
        try cgroup.update(limits)
        #expect(!cgroup.isFrozen)
        #expect(await CgroupTest.eventually { CgroupTest.report(path)?.cpus == "1" })
        try process.kill()
        _ = try await process.wait()
        #expect(try CgroupTest.leftovers().isEmpty)
    }

    @Test func freezeStopsAndThawResumes() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup freezing") else { return }
        let path = CgroupTest.reportPath()
        defer { CgroupTest.removeReport(path) }
        let process = try await CgroupTest.sandbox(ResourceLimits()).spawn(TestEnvironment.probe, ["report", path])
        let cgroup = try #require(process.cgroup)
        let start = try #require(await CgroupTest.eventually { CgroupTest.report(path) != nil } ? CgroupTest.report(path) : nil)
        #expect(await CgroupTest.eventually { (CgroupTest.report(path)?.count ?? 0) > start.count })
        try cgroup.freeze()
        #expect(cgroup.isFrozen)
        let frozen = try #require(CgroupTest.report(path))
        try await Task.sleep(for: .milliseconds(500))
        #expect(CgroupTest.report(path)?.count == frozen.count, "no progress while frozen")
        try cgroup.thaw()
        #expect(await CgroupTest.eventually { (CgroupTest.report(path)?.count ?? 0) > frozen.count })
        try process.kill()
        _ = try await process.wait()
    }

    /// Without a pid namespace, killing the payload would leave its daemons
    /// running; killing the cgroup ends them too.
    @Test func killAllEndsDoubleForkedDaemons() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup kill") else { return }
        var sandbox = CgroupTest.sandbox(ResourceLimits())
        sandbox.namespaces = []
        let process = try await sandbox.spawn(TestEnvironment.probe, ["daemons", "3"], output: .stream)
        let stream = try #require(process.standardOutput)
        var text = ""
        for try await chunk in stream {
            text += String(decoding: chunk, as: UTF8.self)
            if text.contains("ready") { break }
        }
        let daemons = text.split(separator: "\n").filter { $0.hasPrefix("daemon ") }.compactMap { Int32($0.dropFirst(7)) }
        #expect(daemons.count == 3)
        let cgroup = try #require(process.cgroup)
        #expect(Set(try cgroup.processes()).isSuperset(of: daemons))
        try process.kill()
        let result = try await process.wait()
        #expect(result.verdict == .killedOnRequest)
        for pid in daemons {
            // Gone, or a zombie waiting for the host's init to reap it.
            let state = (try? readText("/proc/\(pid)/stat"))?.split(separator: ")").last?.dropFirst().first
            #expect(state == nil || state == "Z", "daemon \(pid) survived")
        }
        #expect(try CgroupTest.leftovers().isEmpty)
    }

    /// The result's CPU time is the cgroup's: it counts a process still
    /// running when the payload ended, which no wait accounts for. In a pid
    /// namespace the kernel reaps what is left as pid 1 exits without adding
    /// its time to anyone's rusage; without one, the process is killed with
    /// the cgroup.
    @Test(arguments: [true, false]) func usageCountsAProcessLeftRunning(pidNamespace: Bool) async throws {
        guard TestEnvironment.hasRoot(for: "cgroup accounting") else { return }
        var sandbox = CgroupTest.sandbox(ResourceLimits())
        if !pidNamespace { sandbox.namespaces.remove(.pid) }
        // The payload exits once its orphan has used 300 ms of CPU, however
        // busy the machine; the orphan spins on.
        let result = try await sandbox.run(TestEnvironment.probe, ["orphan-spin", "300"], output: .string())
        #expect(result.standardOutput == "spinning 300\n")
        #expect(result.termination == .exited(0))
        #expect(result.usage.cpuTime >= .milliseconds(300))
        #expect(try CgroupTest.leftovers().isEmpty)
    }

    /// A cancelled run ends its sandbox: once `run` has thrown, the payload
    /// counts no more and its cgroup is gone.
    @Test func cancellingRunEndsThePayloadAndRemovesItsCgroup() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup limits") else { return }
        let path = CgroupTest.reportPath()
        defer { CgroupTest.removeReport(path) }
        let sandbox = CgroupTest.sandbox(ResourceLimits(pidsMax: 16))
        let task = Task { try await sandbox.run(TestEnvironment.probe, ["report", path]) }
        #expect(await CgroupTest.eventually { CgroupTest.report(path) != nil })
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try CgroupTest.leftovers().isEmpty)
        let last = CgroupTest.report(path)?.count
        try await Task.sleep(for: .milliseconds(100))
        #expect(CgroupTest.report(path)?.count == last)
    }

    /// 500 sandboxes, one in five failing its setup, four at a time: while
    /// the prepared commands live, only the directories they keep for their
    /// next spawns exist, empty; once they are released, nothing is left.
    @Test func noCgroupOutlivesItsSandboxIncludingFailedSetups() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup cleanup") else { return }
        try await Self.runGoodAndFailingSandboxes()
        #expect(try CgroupTest.leftovers().isEmpty)
    }

    /// Runs the 500 sandboxes of the test above and checks the cgroup
    /// directories left while their prepared commands still live.
    private static func runGoodAndFailingSandboxes() async throws {
        let good = try CgroupTest.sandbox(ResourceLimits(memoryMax: 64 << 20, pidsMax: 16)).prepare("/bin/true")
        var failing = CgroupTest.sandbox(ResourceLimits(memoryMax: 64 << 20, pidsMax: 16))
        failing.workingDirectory = "/nonexistent-directory"
        let bad = try failing.prepare("/bin/true")
        var failures = 0
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var failed = 0
                    for index in stride(from: worker, to: 500, by: 4) {
                        if index % 5 == 0 {
                            do { _ = try await bad.run() } catch let error as SandboxError where error.code == .setupFailed { failed += 1 }
                        } else {
                            let result = try await good.run()
                            #expect(result.termination == .exited(0), "\(result.termination) \(result.verdict)")
                        }
                    }
                    return failed == 25
                }
            }
            for try await ok in group where ok { failures += 25 }
        }
        #expect(failures == 100)
        let kept = try CgroupTest.leftovers()
        #expect(kept.count <= CgroupRecycler.capacity * (try CgroupTest.parentDirectories().count), "\(kept)")
        for directory in kept {
            #expect(try readText(directory + "/cgroup.procs").isEmpty, "\(directory) holds processes")
        }
    }

    /// Where v1 controllers take the child by pid, their directories are made
    /// while the child is cloned. When that fails (here: the configured
    /// parent's v1 memory directory vanished after `prepare`), the child is
    /// killed before it runs anything and the cgroup2 directory made before
    /// clone goes too. Pure cgroup2 hosts make everything before clone.
    @Test func aCgroupFailingWhileTheChildIsClonedEndsTheChildAndLeavesNothing() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup parents") else { return }
        let parent = "/cgroups-test-parent-\(getpid())"
        guard let memoryParent = Placement(host: try CgroupHost.current(), parent: parent).legacyParent(.memory) else { return }
        let parents = try CgroupTest.parentDirectories(parent: parent)
        for directory in parents { #expect(mkdir(directory, 0o755) == 0, "\(directory)") }
        defer { for directory in parents { rmdir(directory) } }
        let path = CgroupTest.reportPath()
        defer { CgroupTest.removeReport(path) }
        var sandbox = CgroupTest.sandbox(ResourceLimits(memoryMax: 64 << 20, pidsMax: 16, parent: parent))
        sandbox.wallTimeLimit = .seconds(2)   // a payload released by mistake fails the test instead of hanging it
        let prepared = try sandbox.prepare(TestEnvironment.probe, ["report", path])
        #expect(rmdir(memoryParent) == 0)
        await #expect { try await prepared.run() } throws: { error in
            (error as? CgroupError)?.code == .operationFailed && (error as? CgroupError)?.field == "memoryMax"
        }
        #expect(CgroupTest.report(path) == nil, "the payload must not run")
        for directory in parents where directory != memoryParent {
            #expect((directoryEntries(directory) ?? []).filter { $0.name.hasPrefix("containment-") }.isEmpty, "\(directory)")
        }
    }

    @Test func sweeperRemovesStaleCgroupsAndNothingElse() throws {
        guard TestEnvironment.hasRoot(for: "cgroup sweeping") else { return }
        let parents = try CgroupTest.parentDirectories()
        let start = try #require(CgroupName.startTime(of: getpid()))
        let stale = "containment-999999999-1-0", live = "containment-\(getpid())-\(start)-999999", foreign = "cgroups-test-not-ours"
        for parent in parents {
            for name in [stale, live, foreign] { #expect(mkdir(parent + "/" + name, 0o755) == 0) }
        }
        defer { for parent in parents { rmdir(parent + "/" + live); rmdir(parent + "/" + foreign); rmdir(parent + "/" + stale) } }
        let removed = try Cgroup.sweepStale()
        // Every planted stale cgroup goes; anything else removed must also be
        // stale (left by a dead process: another run killed mid-test), never
        // one of this process's own.
        #expect(Set(parents.map { $0 + "/" + stale }).isSubset(of: Set(removed)))
        for path in removed {
            let name = path.split(separator: "/").last.map(String.init) ?? ""
            #expect(name.hasPrefix("containment-") && !name.hasPrefix("containment-\(getpid())-"), "\(path)")
        }
        for parent in parents {
            #expect(access(parent + "/" + stale, F_OK) != 0)
            #expect(access(parent + "/" + live, F_OK) == 0)
            #expect(access(parent + "/" + foreign, F_OK) == 0)
        }
    }

    /// A dry run names the cgroup work: cloning into the v2 directory, and
    /// on v1 controllers an attach by pid that the child waits for.
    @Test func dryRunShowsThePlacement() throws {
        var sandbox = CgroupTest.sandbox(ResourceLimits(memoryMax: 64 << 20))
        sandbox.namespaces = []
        let plan = try sandbox.plan("/bin/true")
        let action = try #require(plan.hostActions.first { $0.hasPrefix("create cgroup") })
        let attaches = try CgroupHost.current().legacyControllers.contains(.memory)
        #expect(action.contains("attach by pid") == attaches, "\(action)")
        #expect(plan.childSteps.contains("wait for the parent") == attaches)
    }

    @Test func anUnsupportedLimitIsRefusedBeforeAnyProcess() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup limits") else { return }
        let sandbox = CgroupTest.sandbox(ResourceLimits(memoryHigh: 16 << 20))
        if try CgroupHost.current().legacyControllers.contains(.memory) {
            #expect { try sandbox.plan("/bin/true") } throws: { error in
                (error as? CgroupError)?.code == .unsupportedLimit && (error as? CgroupError)?.field == "memoryHigh"
            }
        } else {
            #expect(try await sandbox.run("/bin/true").termination == .exited(0))
        }
        #expect(try CgroupTest.leftovers().isEmpty)
    }

    /// An unprivileged user outside a delegated cgroup gets the typed error
    /// with the remedy from the real kernel (mkdir refused), before the
    /// payload runs, and no cgroup is left.
    @Test func unprivilegedUserWithoutDelegationGetsTheRemedy() async throws {
        guard TestEnvironment.hasRoot(for: "switching to the nobody user") else { return }
        let (result, output) = try await TestEnvironment.runHelperAsNobody(["probe", "--pids-max", "16", TestEnvironment.probe, "ids"])
        #expect(result.termination == .exited(0), "\(result.standardOutput)\(result.standardError)")
        let line = try #require(output["cgroup-error"], "\(result.standardOutput)")
        #expect(line.hasPrefix("not-delegated parent: mkdir "), "\(line)")
        #expect(line.contains("Delegate=yes"))
        #expect(output["uid"] == nil, "the payload must not run")
        #expect(try CgroupTest.leftovers().isEmpty)
    }
}
