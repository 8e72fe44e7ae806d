/// Builds the sandbox's Landlock ruleset once, when the command is prepared,
/// and hands its descriptor to every spawn; the child only calls
/// landlock_restrict_self(2) with it.
struct LandlockHook: SpawnHook {
    private let session: LandlockSession?

    init(_ report: LandlockReport) throws {
        session = try report.ruleset.map { ruleset throws in
            LandlockSession(descriptor: try ruleset.makeDescriptor(abi: report.abi))
        }
    }

    func begin() throws -> any SpawnSession { session ?? LandlockSession(descriptor: nil) }
}

private final class LandlockSession: SpawnSession {
    let descriptor: LandlockRulesetDescriptor?
    init(descriptor: LandlockRulesetDescriptor?) { self.descriptor = descriptor }

    func prepare(_ values: inout SpawnValues) throws {
        if let descriptor { values.slots[LandlockRuleset.slot] = Int(descriptor.fd) }
    }
}
