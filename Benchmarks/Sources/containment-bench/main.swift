// containment-bench N SPEC...: N timed spawn → exit → reap cycles per SPEC
// (after N/10 untimed ones), printed as nsbench prints its own, so the two
// can run side by side and be divided. BIGMB=M first touches M MiB.
// ONESHOT=1 times `Sandbox.run` (a prepare per spawn) instead of a command
// prepared once.
//
// containment-bench --throughput K N SPEC: K concurrent spawners share N
// spawn → exit → reap cycles; prints sandboxes/s.
//
// containment-bench --syscall-overhead ROUNDS: nanoseconds per allowed,
// cached system call (getppid) in a sandbox under the default seccomp
// profile and without a filter, alternating, with the ratio of each round.
//
// containment-bench --density N: host memory per idle sandbox, N sandboxes
// running `sleep`, counted through the memory cgroup of the process that
// spawns them; and how many processes each keeps on the host side.
import BenchmarkSandboxes
import Containment
import Foundation

let usage = """
    usage: containment-bench N SPEC [SPEC...]   (BIGMB=M to hold M MiB)
           containment-bench --throughput SPAWNERS N SPEC
           containment-bench --syscall-overhead [ROUNDS]
           containment-bench --density [N]
    """
let arguments = Array(CommandLine.arguments.dropFirst())
let number = { (index: Int, fallback: Int?) -> Int in
    guard let value = arguments.count > index ? Int(arguments[index]) : fallback, value > 0 else {
        print(usage)
        exit(2)
    }
    return value
}
let spec = { (text: String) -> BenchmarkSpec in
    guard let spec = BenchmarkSpec(text) else {
        print("containment-bench: unknown spec \(text)")
        exit(2)
    }
    return spec
}
let ownExecutable = { try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") }

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

switch arguments.first {
case "--getppid-loop":
    print(String(format: "%.3f", SyscallOverhead.measureHere()))
case "--density":
    try await Density.run(count: number(1, 100), executable: try ownExecutable())
case "--density-child":
    try await Density.measure(count: number(1, 100))
case "--syscall-overhead":
    let profile = SeccompFilter.defaultProfile()
    print("round  unfiltered_ns  default_profile_ns  ratio")
    for round in 1...number(1, 5) {
        let unfiltered = try await SyscallOverhead.measure(in: nil, executable: try ownExecutable())
        let filtered = try await SyscallOverhead.measure(in: profile, executable: try ownExecutable())
        print(String(format: "%5d %14.1f %19.1f %6.3f", round, unfiltered, filtered, filtered / unfiltered))
    }
case "--throughput":
    let (spawners, total) = (number(1, nil), number(2, nil))
    guard arguments.count == 4 else { print(usage); exit(2) }
    let spec = spec(arguments[3])
    let command = try spec.sandbox.prepare(spec.executable)
    for _ in 0..<max(1, total / 10) { _ = try await command.run() }
    let elapsed = try await ContinuousClock().measure {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for spawner in 0..<spawners {
                group.addTask {
                    for _ in stride(from: spawner, to: total, by: spawners) { _ = try await command.run() }
                }
            }
            try await group.waitForAll()
        }
    }
    print("\(spec) spawners \(spawners) n \(total) seconds \(String(format: "%.3f", seconds(elapsed))) sandboxes/s \(String(format: "%.0f", Double(total) / seconds(elapsed)))")
    if let pool = spec.sandbox.network.pool { print("pool \(pool.statistics)") }
default:
    let count = number(0, nil)
    guard arguments.count > 1 else { print(usage); exit(2) }
    holdHostMemory(megabytes: getenv("BIGMB").flatMap { Int(String(cString: $0)) } ?? 0)
    let oneShot = getenv("ONESHOT") != nil
    print("spec                                      n    med_us       p10       p90       min       max  spawn/s")
    for text in arguments.dropFirst() {
        let spec = spec(text)
        let command = try spec.sandbox.prepare(spec.executable)
        for _ in 0..<max(1, count / 10) { _ = try await command.run() }
        var samples: [Double] = []
        let clock = ContinuousClock()
        let total = try await clock.measure {
            for _ in 0..<count {
                samples.append(seconds(try await clock.measure {
                    _ = oneShot ? try await spec.sandbox.run(spec.executable) : try await command.run()
                }) * 1e6)
            }
        }
        samples.sort()
        func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        let columns = [percentile(0.5), percentile(0.1), percentile(0.9), samples[0], samples[samples.count - 1]]
            .map { String(format: "%9.1f", $0) }.joined(separator: " ")
        print(text + String(repeating: " ", count: max(0, 40 - text.count)), String(format: "%5d", count), columns,
              String(format: "%8.0f", Double(count) / seconds(total)))
        if let pool = spec.sandbox.network.pool { print("  pool \(pool.statistics)") }
    }
}
