import Containment

/// `probe [--map-host-root] PROBE ARGS...`: runs the probe in a default
/// sandbox (all seven namespaces, root inside mapped to the caller, or to
/// host root with --map-host-root) and prints its output, then
/// "termination ..." and "verdict ...". A namespace error prints
/// "namespace-error CODE FIELD: MESSAGE".
@Sendable func probeSubcommand(_ arguments: [String]) async throws -> Int32 {
    var arguments = arguments
    var sandbox = Sandbox()
    if arguments.first == "--map-host-root" {
        arguments.removeFirst()
        sandbox.user = .root(mappedTo: HostIdentity(uid: 0, gid: 0))
    }
    guard let probe = arguments.first else { return 2 }
    let result: SandboxResult
    do {
        result = try await sandbox.run(probe, Array(arguments.dropFirst()), output: .string())
    } catch let error as NamespaceError {
        print("namespace-error \(error.code) \(error)")
        return 0
    }
    print(result.standardOutput, terminator: "")
    print("termination \(result.termination)")
    print("verdict \(result.verdict)")
    return 0
}
