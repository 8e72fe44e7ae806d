import Containment
import TestSupport
import Testing

/// Runs the test helper's `leak-check` with `arguments` in a process of its
/// own (the test process's descriptors come and go with the tests that run
/// beside), and expects as many descriptors, threads and unreaped children
/// after its spawns as before, and no zombie.
func expectNoGrowth(leakCheck arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
    var host = Sandbox()
    host.namespaces = []
    host.environment = .inherit
    let result = try await host.run(TestEnvironment.helper("containment-test-helper"), ["leak-check"] + arguments,
                                    output: .string())
    let view = ProbeOutput(result.standardOutput)
    #expect(result.termination.isSuccess, "\(result.standardOutput)", sourceLocation: sourceLocation)
    for key in ["fds", "threads", "zombies"] {
        let pair = try #require(view[key], sourceLocation: sourceLocation).split(separator: " ")
        #expect(pair.count == 2 && pair[0] == pair[1], "\(key): \(pair)", sourceLocation: sourceLocation)
    }
    #expect(view["zombies"] == "0 0", sourceLocation: sourceLocation)
}
