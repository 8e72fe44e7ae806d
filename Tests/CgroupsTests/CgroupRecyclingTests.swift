@testable import Cgroups
import Containment
import ContainmentSupport
import Glibc
import Testing
import TestSupport

/// A prepared command's spawns take over the directories its finished
/// spawns leave where the host allows it (CgroupRecycler): on this hybrid
/// host the cgroup2 and v1 pids directories, on pure v1 the pids one, on
/// pure v2 none. Each test checks what a sandbox sees, and that it would
/// notice a sandbox seeing its predecessor's counts or handles. In the
/// serialized suite: the other tests check that this process keeps no
/// cgroup directories, which a prepared command here does while it lives.
extension CgroupSandboxTests {
    /// A command whose payload the file at `flag` chooses: "bomb" a fork
    /// bomb, "spin" an orphan that has used 300 ms of CPU when the payload
    /// exits, "sleep" a long sleep; without the file it exits with 3.
    private static func command(_ limits: ResourceLimits, flag: String) throws -> PreparedCommand {
        let probe = TestEnvironment.probe
        let script = """
            case "$(cat \(flag) 2>/dev/null)" in
            bomb) exec \(probe) forkbomb ;; spin) exec \(probe) orphan-spin 300 ;; sleep) exec sleep 60 ;; *) exit 3 ;;
            esac
            """
        return try CgroupTest.sandbox(limits).prepare("/bin/sh", ["-c", script])
    }

    /// Whether this host recycles cgroups of `limits`.
    private static func recycles(_ limits: ResourceLimits) throws -> Bool {
        let plan = try CgroupPlan(limits: limits)
        try plan.prepareParent()
        return CgroupRecycler(plan: plan) != nil
    }

    /// Writes `mode` to `flag`, or removes it for nil.
    private static func setFlag(_ flag: String, _ mode: String?) throws {
        unlink(flag)
        guard let mode else { return }
        let fd = open(flag, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(write(fd, mode, mode.utf8.count) == mode.utf8.count)
    }

    /// Runs one spawn of `command` to its end: its cgroup's name and result.
    private static func runOnce(_ command: PreparedCommand) async throws -> (name: String, result: SandboxResult) {
        let process = try await command.spawn()
        let name = try #require(process.cgroup).name
        return (name, try await process.wait())
    }

    /// The next sandbox's verdict and usage count its own processes only:
    /// a fork bomb's pids-limit hits and an orphan's CPU time stay with the
    /// sandbox that caused them, in the same directories.
    @Test func aRecycledCgroupCountsOnlyItsOwnSandbox() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup recycling") else { return }
        let limits = ResourceLimits(pidsMax: 16)
        let flag = CgroupTest.reportPath()
        defer { unlink(flag) }
        let command = try Self.command(limits, flag: flag)

        try Self.setFlag(flag, "bomb")
        let bomb = try await Self.runOnce(command)
        #expect(bomb.result.verdict == .pidsLimit, "\(bomb.result.termination) \(bomb.result.verdict)")
        try Self.setFlag(flag, nil)
        let afterBomb = try await Self.runOnce(command)
        #expect(afterBomb.result.termination == .exited(3))
        #expect(afterBomb.result.verdict == .normal, "the fork bomb's hits must not count for the next sandbox")

        try Self.setFlag(flag, "spin")
        let spin = try await Self.runOnce(command)
        #expect(spin.result.usage.cpuTime >= .milliseconds(300))
        try Self.setFlag(flag, nil)
        let afterSpin = try await Self.runOnce(command)
        // Without the subtraction it would count everything before it too,
        // more than the spinner's own sandbox.
        #expect(afterSpin.result.usage.cpuTime < spin.result.usage.cpuTime - .milliseconds(200),
                "the orphan's CPU time must not count for the next sandbox: \(afterSpin.result.usage) after \(spin.result.usage)")

        // The directories were the same ones where the host recycles them.
        let names = Set([bomb.name, afterBomb.name, spin.name, afterSpin.name])
        #expect(names.count == (try Self.recycles(limits) ? 1 : 4), "\(names)")
    }

    /// A handle kept past its sandbox fails with `removed`, and never
    /// reaches the next sandbox that took over its directories.
    @Test func aStaleHandleCannotTouchTheNextSandbox() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup recycling") else { return }
        let flag = CgroupTest.reportPath()
        defer { unlink(flag) }
        let command = try Self.command(ResourceLimits(pidsMax: 16), flag: flag)
        try Self.setFlag(flag, nil)
        let first = try await command.spawn()
        let stale = try #require(first.cgroup)
        _ = try await first.wait()

        try Self.setFlag(flag, "sleep")
        let next = try await command.spawn()
        let current = try #require(next.cgroup)
        #expect(await CgroupTest.eventually { current.isPopulated })
        for operation in [stale.kill, stale.freeze, stale.thaw] {
            #expect { try operation() } throws: { ($0 as? CgroupError)?.code == .removed }
        }
        #expect { try stale.statistics() } throws: { ($0 as? CgroupError)?.code == .removed }
        #expect(!stale.isPopulated)
        #expect(!current.isFrozen)
        try await Task.sleep(for: .milliseconds(100))
        #expect(current.isPopulated, "the next sandbox still runs")
        try next.kill()
        let result = try await next.wait()
        #expect(result.verdict == .killedOnRequest)
    }

    /// A cgroup frozen or changed while it ran is not handed over: its
    /// successor gets fresh directories with the plan's limits.
    @Test func aChangedCgroupIsNotRecycled() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup recycling") else { return }
        let flag = CgroupTest.reportPath()
        defer { unlink(flag) }
        let limits = ResourceLimits(pidsMax: 16)
        let command = try Self.command(limits, flag: flag)
        try Self.setFlag(flag, "sleep")
        let changed = try await command.spawn()
        let cgroup = try #require(changed.cgroup)
        #expect(await CgroupTest.eventually { cgroup.isPopulated })
        try cgroup.update(ResourceLimits(pidsMax: 8))
        try changed.kill()
        _ = try await changed.wait()

        let next = try await command.spawn()
        let successor = try #require(next.cgroup)
        #expect(successor.name != cgroup.name)
        let pids = try #require(successor.directory(of: .pids))
        #expect(try readText(pids + "/pids.max") == "16\n")
        try next.kill()
        _ = try await next.wait()
    }
}
