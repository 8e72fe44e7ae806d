@testable import Cgroups
import Containment
import ContainmentSupport
import Glibc
import TestSupport

/// Helpers of the cgroup tests.
enum CgroupTest {
    /// A sandbox with `limits` (the default namespaces, a minimal init).
    static func sandbox(_ limits: ResourceLimits) -> Sandbox {
        var sandbox = Sandbox()
        sandbox.resources = limits
        return sandbox
    }

    /// Where this process's sandbox cgroups go, in every hierarchy: under
    /// `parent`, or by default under the process's own cgroups.
    static func parentDirectories(parent: String? = nil) throws -> [String] {
        let placement = Placement(host: try CgroupHost.current(), parent: parent)
        return Array(Set(placement.host.legacyControllers.compactMap { placement.legacyParent($0) } + [placement.unifiedParent].compactMap { $0 })).sorted()
    }

    /// Cgroup directories this test process made that still exist.
    static func leftovers() throws -> [String] {
        try parentDirectories().flatMap { parent in
            (directoryEntries(parent) ?? []).map(\.name).filter { $0.hasPrefix("containment-\(getpid())-") }.map { parent + "/" + $0 }
        }
    }

    /// A fresh path for a probe's `report` file.
    static func reportPath() -> String { "/tmp/cgroups-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))" }

    /// Removes a report and the temporary file the probe renames into it
    /// (left behind when the probe is killed between the two).
    static func removeReport(_ path: String) {
        unlink(path)
        unlink(path + ".tmp")
    }

    /// The probe's last report: its count and Cpus_allowed_list.
    static func report(_ path: String) -> (count: Int, cpus: String)? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 512)
        var count: Int?, cpus: String?
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let parts = line.split(whereSeparator: \.isWhitespace)
            if parts.count == 2 && parts[0] == "count" { count = Int(parts[1]) }
            if parts.count == 2 && parts[0] == "cpus" { cpus = String(parts[1]) }
        }
        guard let count, let cpus else { return nil }
        return (count, cpus)
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes.
    static func eventually(within timeout: Duration = .seconds(10), _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return try condition()
    }

    /// CPU time the cgroup used per second of a window of at least
    /// `window`, divided by the window's real length: a sleep that ends late
    /// (a busy machine) lengthens the window, not the figure.
    static func cpuUsagePerSecond(of cgroup: Cgroup, over window: Duration) async throws -> Duration {
        let clock = ContinuousClock()
        let (start, before) = (clock.now, try cgroup.statistics().cpuUsage ?? .zero)
        try await Task.sleep(for: window)
        let (end, after) = (clock.now, try cgroup.statistics().cpuUsage ?? .zero)
        return (after - before) / ((end - start) / .seconds(1))
    }
}
