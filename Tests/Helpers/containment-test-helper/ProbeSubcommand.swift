import Containment

/// `probe [--map-host-root] [--pids-max N] PROBE ARGS...`: runs the probe in
/// a default sandbox (all seven namespaces, root inside mapped to the
/// caller, or to host root with --map-host-root; a cgroup with pids.max N
/// with --pids-max) and prints its output, then "termination ..." and
/// "verdict ...". A namespace or cgroup error prints
/// "namespace-error CODE FIELD: MESSAGE" or "cgroup-error CODE FIELD: MESSAGE".
@Sendable func probeSubcommand(_ arguments: [String]) async throws -> Int32 {
    var arguments = arguments
    var sandbox = Sandbox()
    if arguments.first == "--map-host-root" {
        arguments.removeFirst()
        sandbox.user = .root(mappedTo: HostIdentity(uid: 0, gid: 0))
    }
    if arguments.first == "--pids-max", arguments.count > 1 {
        sandbox.resources = ResourceLimits(pidsMax: Int(arguments[1]))
        arguments.removeFirst(2)
    }
    guard let probe = arguments.first else { return 2 }
    let result: SandboxResult
    do {
        result = try await sandbox.run(probe, Array(arguments.dropFirst()), output: .string())
    } catch let error as NamespaceError {
        print("namespace-error \(error.code) \(error)")
        return 0
    } catch let error as CgroupError {
        print("cgroup-error \(error.code) \(error)")
        return 0
    }
    print(result.standardOutput, terminator: "")
    print("termination \(result.termination)")
    print("verdict \(result.verdict)")
    return 0
}
