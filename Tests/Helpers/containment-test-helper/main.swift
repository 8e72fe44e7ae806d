// containment-test-helper SUBCOMMAND ARGS...
//
// Drives the SDK in a process of its own, for tests that must not share the
// test process: running as an unprivileged user, or counting the host's
// descriptors, threads and zombies.
import Glibc

let subcommands: [String: @Sendable ([String]) async throws -> Int32] = [
    "probe": probeSubcommand,
    "leak-check": leakCheckSubcommand,
    "host-check": hostCheckSubcommand,
    "rootfs-image": rootfsImageSubcommand,
    "pool-probe": poolProbeSubcommand,
    "pool-leak-check": poolLeakCheckSubcommand,
    "wall-time-under-load": wallTimeUnderLoadSubcommand,
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let subcommand = subcommands[name] else {
    print("usage: containment-test-helper \(subcommands.keys.sorted().joined(separator: "|")) ARGS...")
    exit(2)
}
do {
    exit(try await subcommand(Array(arguments.dropFirst())))
} catch {
    print("error \(error)")
    exit(1)
}
