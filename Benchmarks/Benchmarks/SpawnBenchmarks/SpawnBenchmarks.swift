import Benchmark
import BenchmarkSandboxes
import Containment

/// Spawn → exit → reap of /bin/true in sandboxes of increasing isolation.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .throughput], maxDuration: .seconds(5))

    for spec in ["all,map", "all,map,init"] {
        guard let spec = BenchmarkSpec(spec) else { continue }
        Benchmark("spawn \(spec)") { benchmark in
            let command = try spec.sandbox.prepare(spec.executable)
            for _ in benchmark.scaledIterations {
                blackHole(try await command.run())
            }
        }
    }

    // The same with the host holding 1 GiB of touched memory: the spawn
    // path shares the host's address space instead of copying its page
    // tables, so the figure should barely move.
    Benchmark("spawn all,map with a 1 GiB host", configuration: .init(setup: { holdHostMemory(megabytes: 1024) })) { benchmark in
        guard let spec = BenchmarkSpec("all,map") else { return }
        let command = try spec.sandbox.prepare(spec.executable)
        for _ in benchmark.scaledIterations {
            blackHole(try await command.run())
        }
    }
}
