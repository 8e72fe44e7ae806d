// containment-bench N SPEC...: N timed spawn → exit → reap cycles per SPEC
// (after N/10 untimed ones), printed as nsbench prints its own, so the two
// can run side by side and be divided. BIGMB=M first touches M MiB.
// containment-bench --throughput K N SPEC: K concurrent spawners share N
// spawn → exit → reap cycles; prints sandboxes/s.
import BenchmarkSandboxes
import Containment
import Foundation

var arguments = CommandLine.arguments.dropFirst()
if arguments.first == "--throughput" {
    arguments.removeFirst()
    guard arguments.count == 3, let spawners = Int(arguments[arguments.startIndex]),
          let total = Int(arguments[arguments.startIndex + 1]), spawners > 0, total > 0,
          let spec = BenchmarkSpec(arguments[arguments.startIndex + 2]) else {
        print("usage: containment-bench --throughput SPAWNERS N SPEC")
        exit(2)
    }
    let command = try spec.sandbox.prepare(spec.executable)
    for _ in 0..<max(1, total / 10) { _ = try await command.run() }
    let clock = ContinuousClock()
    let elapsed = try await clock.measure {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for spawner in 0..<spawners {
                group.addTask {
                    for _ in stride(from: spawner, to: total, by: spawners) { _ = try await command.run() }
                }
            }
            try await group.waitForAll()
        }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("\(spec) spawners \(spawners) n \(total) seconds \(String(format: "%.3f", seconds)) sandboxes/s \(String(format: "%.0f", Double(total) / seconds))")
    if let pool = spec.sandbox.network.pool { print("pool \(pool.statistics)") }
    exit(0)
}
guard let count = arguments.first.flatMap({ Int($0) }), count > 0, arguments.count > 1 else {
    print("usage: containment-bench N SPEC [SPEC...]   (BIGMB=M to hold M MiB)")
    exit(2)
}
holdHostMemory(megabytes: getenv("BIGMB").flatMap { Int(String(cString: $0)) } ?? 0)
print("spec                                      n    med_us       p10       p90       min       max  spawn/s")
for text in arguments.dropFirst() {
    guard let spec = BenchmarkSpec(text) else {
        print("containment-bench: unknown spec \(text)")
        exit(2)
    }
    let command = try spec.sandbox.prepare(spec.executable)
    for _ in 0..<max(1, count / 10) { _ = try await command.run() }
    var samples: [Double] = []
    let clock = ContinuousClock()
    let total = try await clock.measure {
        for _ in 0..<count {
            let elapsed = try await clock.measure { _ = try await command.run() }
            samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
        }
    }
    samples.sort()
    func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
    let rate = Double(count) / (Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18)
    let columns = [percentile(0.5), percentile(0.1), percentile(0.9), samples[0], samples[samples.count - 1]]
        .map { String(format: "%9.1f", $0) }.joined(separator: " ")
    print(text.padding(toLength: 40, withPad: " ", startingAt: 0), String(format: "%5d", count), columns, String(format: "%8.0f", rate))
    if let pool = spec.sandbox.network.pool { print("  pool \(pool.statistics)") }
}
