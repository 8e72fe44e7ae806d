// swift-tools-version: 6.1
import PackageDescription

// Benchmarks of swift-containment, apart from the SDK so that its users never
// build them. `swift package benchmark` runs the ordo-one benchmarks;
// compare.sh runs containment-bench beside ../../shared/bench/nsbench and
// prints ratios to the physical limit of the machine at hand.
let package = Package(
    name: "swift-containment-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-containment", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BenchmarkSandboxes",
            dependencies: [.product(name: "Containment", package: "swift-containment")]
        ),
        .executableTarget(name: "containment-bench", dependencies: ["BenchmarkSandboxes"]),
        .executableTarget(
            name: "SpawnBenchmarks",
            dependencies: ["BenchmarkSandboxes", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/SpawnBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
