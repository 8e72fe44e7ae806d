import Containment
import Foundation
import Testing
import TestSupport

/// Resource limits as the payload sees them (getrlimit) and as they behave.
@Suite struct ResourceLimitTests {
    /// One limit of each kind, never above the host's hard limit (raising it
    /// needs CAP_SYS_RESOURCE on the host).
    static var everyKind: [ResourceLimit] {
        let wanted: [(ResourceLimit.Kind, UInt64, UInt64)] = [
            (.cpuTime, 100, 200), (.fileSize, 1 << 30, 1 << 31), (.dataSize, 1 << 32, 1 << 33),
            (.stackSize, 8 << 20, 16 << 20), (.coreSize, 0, 0), (.residentSet, 1 << 30, 1 << 31),
            (.processes, 500, 1000), (.openFiles, 64, 128), (.lockedMemory, 1 << 20, 2 << 20),
            (.addressSpace, 1 << 36, 1 << 37), (.fileLocks, 100, 200), (.pendingSignals, 100, 200),
            (.messageQueueBytes, 8192, 16384), (.niceCeiling, 0, 0), (.realtimePriority, 0, 0),
            (.realtimeTime, 1_000_000, 2_000_000),
        ]
        return wanted.map { kind, soft, hard in
            var host = rlimit()
            getrlimit(__rlimit_resource_t(UInt32(kind.rawValue)), &host)
            let ceiling = min(hard, UInt64(host.rlim_max))
            return ResourceLimit(kind, soft: min(soft, ceiling), hard: ceiling)
        }
    }

    @Test func everyKindIsSeenFromInside() async throws {
        guard TestEnvironment.hasRoot(for: "a user namespace mapped to root") else { return }
        var sandbox = Sandbox()
        sandbox.resourceLimits = Self.everyKind
        let (result, probe) = try await sandbox.probe(["rlimits"])
        #expect(result.termination == .exited(0), "\(result.standardError)")
        for limit in sandbox.resourceLimits {
            let expected = "\(limit.kind.rawValue) \(limit.soft.map(String.init) ?? "unlimited") \(limit.hard.map(String.init) ?? "unlimited")"
            #expect(probe.all("rlimit").contains(expected), "\(limit): \(probe)")
        }
    }

    @Test func openFilesStopAtTheLimit() async throws {
        guard TestEnvironment.hasRoot(for: "a user namespace mapped to root") else { return }
        var sandbox = Sandbox()
        sandbox.resourceLimits = [ResourceLimit(.openFiles, 32)]
        let (_, probe) = try await sandbox.probe(["open-files"])
        #expect(probe["open-files"] == "29 EMFILE", "descriptors 3 to 31 open, then EMFILE")
    }

    @Test func fileSizeStopsWritesWithEFBIG() async throws {
        guard TestEnvironment.hasRoot(for: "a user namespace mapped to root") else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("containment-fsize-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var sandbox = Sandbox()
        sandbox.resourceLimits = [ResourceLimit(.fileSize, 10_000)]
        let (_, probe) = try await sandbox.probe(["write-file", folder.path + "/big", "20000"])
        #expect(probe["write-file"] == "10000 EFBIG")
    }

    /// Takes about one second of CPU: the soft limit.
    @Test func cpuTimeLimitEndsWithItsVerdict() async throws {
        guard TestEnvironment.hasRoot(for: "a user namespace mapped to root") else { return }
        var sandbox = Sandbox()
        sandbox.resourceLimits = [ResourceLimit(.cpuTime, soft: 1, hard: 2)]
        let result = try await sandbox.run(TestEnvironment.probe, ["spin"])
        #expect(result.termination == .signaled(.cpuTimeExceeded))
        #expect(result.verdict == .cpuTimeLimit)
        // rusage's user and system times are tick-sampled; on a loaded host
        // they under-count the scheduler's runtime that RLIMIT_CPU checks.
        #expect(result.usage.cpuTime >= .milliseconds(500))
    }

    @Test func raisingAHardLimitInAUserNamespaceNamesTheCause() async throws {
        guard TestEnvironment.hasRoot(for: "a user namespace mapped to root") else { return }
        var host = rlimit()
        getrlimit(__rlimit_resource_t(UInt32(ResourceLimit.Kind.lockedMemory.rawValue)), &host)
        guard host.rlim_max < UInt64.max / 2 else { return }
        var sandbox = Sandbox()
        sandbox.resourceLimits = [ResourceLimit(.lockedMemory, UInt64(host.rlim_max) * 2)]
        await #expect {
            _ = try await sandbox.run("/bin/true")
        } throws: { error in
            let error = error as? SandboxError
            return error?.code == .setupFailed && error?.errno == .notPermitted
                && error?.step?.hasPrefix("set RLIMIT_MEMLOCK") == true && error?.message.contains("CAP_SYS_RESOURCE") == true
        }
    }
}
