// cgroups-demo: a memory hog, a fork bomb and a CPU spinner under limits,
// with live statistics, a live CPU-limit change, freeze and thaw.
//
//   swift run cgroups-demo [--memory-mib 32] [--pids 32] [--seconds 6]
import ArgumentParser
import Containment

@main
struct CgroupsDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs a memory hog, a fork bomb and a CPU spinner under cgroup limits.")

    @Option(help: "Memory limit of the hog, in MiB (it allocates 100 MiB).")
    var memoryMib = 32

    @Option(help: "pids.max of the fork bomb.")
    var pids = 32

    @Option(help: "How long the CPU spinner runs, in seconds (at least 4).")
    var seconds = 6

    func run() async throws {
        print("host cgroups: \(try CgroupHost.current().shape)")
        try await memoryHog()
        try await forkBomb()
        try await spinner()
    }

    /// 100 MiB in a shell variable against a smaller memory.max.
    private func memoryHog() async throws {
        var sandbox = Sandbox()
        sandbox.resources = ResourceLimits(memoryMax: memoryMib << 20)
        let process = try await sandbox.spawn("/bin/sh", ["-c", "a=$(head -c 104857600 /dev/zero | tr '\\000' x); echo ${#a}"])
        if let cgroup = process.cgroup {
            for await event in cgroup.events() {
                print("memory hog: event \(event)")
                if event.kind == .empty { break }
            }
        }
        let result = try await process.wait()
        print("memory hog (\(memoryMib) MiB limit): \(result.termination), verdict \(result.verdict), peak \(result.usage.peakMemory >> 20) MiB")
    }

    /// A shell fork bomb against pids.max.
    private func forkBomb() async throws {
        var sandbox = Sandbox()
        sandbox.resources = ResourceLimits(pidsMax: pids)
        let process = try await sandbox.spawn("/bin/sh", ["-c", "bomb() { bomb | bomb & }; bomb; sleep 2; exit 3"], error: .discarded)
        let waiter = Task { try await process.wait() }
        var most = 0
        // The cgroup goes away once the sandbox ended and was reaped.
        while let stats = try? process.cgroup?.statistics(), let current = stats.pidsCurrent {
            most = max(most, current)
            try await Task.sleep(for: .milliseconds(20))
        }
        let result = try await waiter.value
        print("fork bomb (pids.max \(pids)): at most \(most) tasks, \(result.termination), verdict \(result.verdict)")
    }

    /// A spinner at 20% of a core, raised to 50% half way, frozen for a second.
    private func spinner() async throws {
        var sandbox = Sandbox()
        sandbox.resources = ResourceLimits(cpuQuota: .cores(0.2))
        let process = try await sandbox.spawn("/bin/sh", ["-c", "while :; do :; done"])
        guard let cgroup = process.cgroup else { return }
        var last = try cgroup.statistics().cpuUsage ?? .zero
        for second in 1...max(4, seconds) {
            try await Task.sleep(for: .seconds(1))
            let stats = try cgroup.statistics()
            let used = (stats.cpuUsage ?? .zero) - last
            last = stats.cpuUsage ?? .zero
            let state = cgroup.isFrozen ? "frozen" : "quota \(cgroup.limits.cpuQuota?.cores ?? 0) cores"
            print("spinner t=\(second)s: \(state), CPU \(percent(used))% of a core, throttled \(stats.throttledPeriods ?? 0) periods, memory \((stats.memoryCurrent ?? 0) >> 10) KiB, tasks \(stats.pidsCurrent ?? 0)")
            switch second {
            case 2:
                var limits = cgroup.limits
                limits.cpuQuota = .cores(0.5)
                try cgroup.update(limits)
                print("spinner: CPU limit raised to 0.5 cores")
            case 3:
                try cgroup.freeze()
                print("spinner: frozen")
            case 4:
                try cgroup.thaw()
                print("spinner: thawed")
            default: break
            }
        }
        try process.kill()
        let result = try await process.wait()
        print("spinner: \(result.termination), verdict \(result.verdict), CPU time \(result.usage.cpuTime)")
    }

    private func percent(_ used: Duration) -> Int {
        Int((Double(used.components.seconds) + Double(used.components.attoseconds) / 1e18) * 100)
    }
}
