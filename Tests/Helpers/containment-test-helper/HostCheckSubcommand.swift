import Containment

/// `host-check`: prints `Host.check()`'s report.
@Sendable func hostCheckSubcommand(_ arguments: [String]) async throws -> Int32 {
    print(await Host.check())
    return 0
}
