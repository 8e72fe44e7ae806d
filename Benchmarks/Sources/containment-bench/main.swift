// containment-bench N SPEC...: N timed spawn → exit → reap cycles per SPEC
// (after N/10 untimed ones), printed as nsbench prints its own, so the two
// can run side by side and be divided. BIGMB=M first touches M MiB.
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

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "--getppid-loop" {
    print(String(format: "%.3f", SyscallOverhead.measureHere()))
    exit(0)
}
if arguments.first == "--density" || arguments.first == "--density-child" {
    let count = arguments.dropFirst().first.flatMap { Int($0) } ?? 100
    if arguments.first == "--density-child" {
        try await Density.measure(count: count)
    } else {
        try await Density.run(count: count, executable: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    }
    exit(0)
}
if arguments.first == "--syscall-overhead" {
    let rounds = arguments.dropFirst().first.flatMap { Int($0) } ?? 5
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let profile = SeccompFilter.defaultProfile()
    print("round  unfiltered_ns  default_profile_ns  ratio")
    for round in 1...rounds {
        let unfiltered = try await SyscallOverhead.measure(in: nil, executable: executable)
        let filtered = try await SyscallOverhead.measure(in: profile, executable: executable)
        print(String(format: "%5d %14.1f %19.1f %6.3f", round, unfiltered, filtered, filtered / unfiltered))
    }
    exit(0)
}
guard let count = arguments.first.flatMap({ Int($0) }), count > 0, arguments.count > 1 else {
    print("usage: containment-bench N SPEC [SPEC...]   (BIGMB=M to hold M MiB)\n       containment-bench --syscall-overhead [ROUNDS]\n       containment-bench --density [N]")
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
    print(text + String(repeating: " ", count: max(0, 40 - text.count)), String(format: "%5d", count), columns, String(format: "%8.0f", rate))
}
