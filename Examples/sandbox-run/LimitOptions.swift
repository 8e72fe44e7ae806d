import ArgumentParser
import Containment

/// --memory, --cpus, --pids, --cgroup-parent (a cgroup of the sandbox's
/// own), --time-limit (wall clock) and --cpu-time-limit (RLIMIT_CPU).
struct LimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Memory limit: bytes, or a number with K, M or G (memory.max). The OOM killer ends the sandbox beyond it.", valueName: "SIZE"))
    var memory: String?

    @Option(help: ArgumentHelp("CPU bandwidth in cores, e.g. 0.5 (cpu.max).", valueName: "CORES"))
    var cpus: Double?

    @Option(help: ArgumentHelp("Maximum number of tasks, processes and threads (pids.max).", valueName: "N"))
    var pids: Int?

    @Option(help: ArgumentHelp("Cgroup the sandbox's cgroup is created under (a delegated one for rootless use). Default: this process's own.", valueName: "PATH"))
    var cgroupParent: String?

    @Option(help: ArgumentHelp("Kill the sandbox after this many seconds of wall-clock time.", valueName: "SECONDS"))
    var timeLimit: Double?

    @Option(help: ArgumentHelp("CPU time the payload may use, in whole seconds (RLIMIT_CPU: SIGXCPU, then SIGKILL a second later).", valueName: "SECONDS"))
    var cpuTimeLimit: UInt64?

    /// Sets the sandbox's cgroup limits, wall-time limit and RLIMIT_CPU.
    func apply(to sandbox: inout Sandbox) throws {
        if memory != nil || cpus != nil || pids != nil || cgroupParent != nil {
            var resources = ResourceLimits(parent: cgroupParent)
            resources.memoryMax = try memory.map { try Self.bytes($0, flag: "--memory") }
            resources.cpuQuota = cpus.map { .cores($0) }
            resources.pidsMax = pids
            sandbox.resources = resources
        }
        if let timeLimit {
            guard timeLimit.isFinite else { throw CommandLineError("--time-limit: \(timeLimit) is not a number of seconds") }
            sandbox.wallTimeLimit = .milliseconds(Int64((timeLimit * 1000).rounded()))
        }
        if let cpuTimeLimit {
            if cpuTimeLimit == 0 { throw CommandLineError("--cpu-time-limit: must be at least 1 second") }
            sandbox.resourceLimits.append(ResourceLimit(.cpuTime, soft: cpuTimeLimit, hard: cpuTimeLimit + 1))
        }
    }

    /// "256M" as bytes (K, M, G, T are powers of 1024; "KiB", "MB" ... also read).
    static func bytes(_ text: String, flag: String) throws -> Int {
        let digits = text.prefix { $0.isNumber }
        var unit = text.dropFirst(digits.count).lowercased()
        for suffix in ["ib", "b"] where unit.hasSuffix(suffix) && unit.count > suffix.count - (suffix == "b" ? 1 : 0) {
            unit.removeLast(suffix.count)
            break
        }
        let shifts = ["": 0, "k": 10, "m": 20, "g": 30, "t": 40]
        guard let value = Int(digits), let shift = shifts[unit], value <= Int.max >> shift else {
            throw CommandLineError("\(flag): \"\(text)\" is not a size; give bytes or a number with K, M or G, e.g. 256M")
        }
        return value << shift
    }
}
