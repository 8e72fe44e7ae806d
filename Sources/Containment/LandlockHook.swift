/// Builds the sandbox's Landlock ruleset once, when the command is prepared,
/// and hands its descriptor to every spawn; the child only calls
/// landlock_restrict_self(2) with it.
struct LandlockHook: SpawnHook {
    private let session: LandlockSession

    /// The hook for what the kernel enforces of the ruleset; nil when it
    /// enforces nothing.
    init?(_ report: LandlockReport) throws {
        guard let ruleset = report.ruleset else { return nil }
        session = LandlockSession(descriptor: try ruleset.makeDescriptor(abi: report.abi))
    }

    /// The session holds no per-spawn state, so every spawn shares it.
    func begin() throws -> any SpawnSession { session }
}

private final class LandlockSession: SpawnSession {
    let descriptor: LandlockRulesetDescriptor
    init(descriptor: LandlockRulesetDescriptor) { self.descriptor = descriptor }

    func prepare(_ values: inout SpawnValues) throws {
        values.slots[LandlockRuleset.slot] = Int(descriptor.fd)
    }
}
