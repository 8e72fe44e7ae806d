// swift-tools-version: 6.1
import PackageDescription

/// Library targets of the SDK; each layer also ships as a product of its own.
let layers = ["Namespaces", "Cgroups", "Seccomp", "Capabilities", "RootFS"]

/// One thin executable per layer.
let examples = ["namespaces-demo", "cgroups-demo", "seccomp-demo", "capabilities-demo", "rootfs-demo", "sandbox-run"]

let system: Target.Dependency = .product(name: "SystemPackage", package: "swift-system")

let package = Package(
    name: "swift-containment",
    platforms: [.macOS(.v15)],
    products: layers.map { .library(name: $0, targets: [$0]) } + [
        .library(name: "Containment", targets: ["Containment"]),
    ] + examples.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C: the spawn core, and shims for the system libraries.
        .target(name: "CContainment", exclude: ["init"]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp",
                       providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),

        // Shared internals: setup steps, system call helpers, the event loop.
        .target(name: "ContainmentSupport", dependencies: ["CContainment", system]),

        // The layers.
        .target(name: "Namespaces", dependencies: ["ContainmentSupport", system]),
        .target(name: "Cgroups", dependencies: ["ContainmentSupport", system]),
        .target(name: "Seccomp", dependencies: ["ContainmentSupport", "CSeccomp", system]),
        .target(name: "Capabilities", dependencies: ["ContainmentSupport", "CCap", system]),
        .target(name: "RootFS", dependencies: ["ContainmentSupport", system]),

        // The umbrella: Sandbox, SandboxProcess, the plan and the spawn path.
        .target(
            name: "Containment",
            dependencies: ["CContainment", "ContainmentSupport", system] + layers.map { .target(name: $0) },
            plugins: ["EmbedInit"]
        ),
        .plugin(name: "EmbedInit", capability: .buildTool()),


        // Test helpers: a static C probe that prints the child's view, and a
        // Swift helper that drives the SDK as another (unprivileged) user.
        .executableTarget(name: "containment-probe", path: "Tests/Helpers/containment-probe"),
        .executableTarget(
            name: "containment-test-helper",
            dependencies: ["Containment", "ContainmentSupport"],
            path: "Tests/Helpers/containment-test-helper"
        ),
        .target(name: "TestSupport", dependencies: ["Containment", "ContainmentSupport", system], path: "Tests/TestSupport"),
    ] + (layers + ["Containment"]).map { module in
        .testTarget(
            name: "\(module)Tests",
            dependencies: Array(Set([module, "Containment", "ContainmentSupport"])).sorted().map { .target(name: $0) }
                + ["TestSupport", "containment-probe", "containment-test-helper"]
        )
    } + [
        // End-to-end tests of the sandbox-run CLI: they run the built binary.
        .testTarget(name: "SandboxRunTests", dependencies: ["TestSupport", "sandbox-run", "containment-probe"]),
    ] + examples.map { example in
        .executableTarget(
            name: example,
            dependencies: ["Containment", .product(name: "ArgumentParser", package: "swift-argument-parser")]
                + (example == "sandbox-run" ? ["ContainmentSupport"] : []),
            path: "Examples/\(example)",
            exclude: example == "sandbox-run" ? ["README.md"] : []
        )
    },
    swiftLanguageModes: [.v6]
)
