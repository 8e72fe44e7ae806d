import CContainment
import Cgroups
import ContainmentSupport
import Glibc

/// Every step a spawn of a sandbox takes, in order, computed without running
/// anything: what the parent does on the host and what the child does between
/// clone and exec. Print it for a dry run.
public struct SetupPlan: Sendable, CustomStringConvertible {
    /// The payload's argv.
    public let arguments: [String]
    /// Paths tried, in order, for the payload's executable.
    public let executableCandidates: [String]
    /// Namespaces the clone creates.
    public let namespaces: NamespaceSet
    /// What the parent does between clone and releasing the child.
    public let hostActions: [String]
    /// What the kernel enforces of the sandbox's Landlock ruleset.
    public let landlock: LandlockReport?
    /// The child's steps, in order.
    package let steps: [SetupStep]
    let usesInit: Bool
    let needsSync: Bool
    /// Host descriptors the steps name by number, kept by the child's first
    /// close (`cn_spawn_request.keep`, -1 for unused entries).
    let keptDescriptors: (Int32, Int32, Int32, Int32)
    /// The environment, when it is fixed at plan time (nil: rendered per spawn).
    let environment: [String]?
    /// Whether spawns serve a seccomp listener in the host.
    let needsSeccompSupervisor: Bool
    /// The namespaces clone3 creates: `namespaces`, or none when the child
    /// enters a pooled user and network namespace and unshares the rest.
    let cloneNamespaces: NamespaceSet
    /// The pool a spawn takes its user and network namespace from.
    let pool: NetworkNamespacePool?
    /// The cgroups of the spawns, when the sandbox has `resources`.
    let cgroups: CgroupPlan?

    /// Whether spawns hand over the pid of a process cloned into the pid
    /// namespace (pooled network with a pid namespace).
    var clonesIntoPidNamespace: Bool { pool != nil && namespaces.contains(.pid) }

    /// The child's steps as text, one a line.
    public var childSteps: [String] { steps.map(\.description) }

    public var description: String {
        var lines = ["clone3 \(cloneNamespaces)"]
        lines += hostActions.map { "host: \($0)" }
        lines += steps.enumerated().map { "\($0.offset + 1). \($0.element.description)" }
        return lines.joined(separator: "\n")
    }
}

extension Sandbox {
    /// The plan for running `executable` with `arguments` (argv[1...]):
    /// validates the whole configuration and lists every step, without
    /// creating any process.
    public func plan(_ executable: String, _ arguments: [String] = []) throws -> SetupPlan {
        try plan(executable, arguments, pooled: network.pool != nil)
    }

    /// The plan, taking the user and network namespace from `network`'s pool
    /// when `pooled`, else creating them.
    func plan(_ executable: String, _ arguments: [String], pooled: Bool) throws -> SetupPlan {
        try isolation.validate()
        let pool = pooled ? network.pool : nil
        if let pool { try validate(pool: pool) }
        let variables = environment.resolved
        let argv = [executable] + arguments
        try validate(argv: argv, environment: variables)
        let candidates = try executableCandidates(executable, path: variables["PATH"])

        let pidIsolated = isolation.isolated.contains(.pid)
        let usesInit = pidIsolated && initProcess.isMinimal
        let seccompPlan = try seccomp.map {
            // seccomp(2) refuses a filter (EACCES) without no_new_privs or CAP_SYS_ADMIN.
            if !noNewPrivileges && !resolvedCapabilities.effective.contains(.sysAdmin) {
                throw SandboxError.invalid("noNewPrivileges", "is off and the payload lacks CAP_SYS_ADMIN, so the kernel would refuse the seccomp filter; keep noNewPrivileges on or grant .sysAdmin")
            }
            return try SeccompPlan(filter: $0, usesInit: usesInit, passedCount: passedDescriptors.count)
        }
        let layout = DescriptorLayout(passedCount: passedDescriptors.count, usesInit: usesInit,
                                      fixed: seccompPlan?.descriptors ?? [])
        let listenPID: String? = socketActivation ? (pidIsolated ? (usesInit ? "2" : "1") : nil) : nil
        let renderedPerSpawn = socketActivation && listenPID == nil
        let cgroups = try cgroupPlan()
        let needsIDMaps = isolation.needsIDMaps && pool == nil
        let needsSync = needsIDMaps || renderedPerSpawn || cgroups?.attachesByPid == true

        var steps: [SetupStep] = []
        var hostActions: [String] = []
        if pool != nil {
            hostActions.append("take a user and network namespace from the pool (a fresh pair when it is empty)")
        }
        if needsIDMaps {
            hostActions.append("write uid_map: " + isolation.userMapping.uids.map(\.description).joined(separator: ", "))
            hostActions.append("write gid_map: " + isolation.userMapping.gids.map(\.description).joined(separator: ", "))
        }
        if let cgroups { hostActions.append(cgroups.description) }
        if needsSync { steps.append(SetupStep(.waitForParent, "wait for the parent", .waitForParent)) }
        if let signal = parentDeathSignal {
            steps.append(SetupStep(.parentDeath, "set parent-death signal \(signal)", .parentDeathSignal(signal.rawValue)))
        }
        steps += isolation.setupSteps(preparedNetwork: pool != nil)
        if pool != nil, let signal = parentDeathSignal, isolation.namespaces.contains(.pid) {
            // The kernel clears the signal of the process cloned into the
            // pid namespace: arm it again there.
            steps.append(SetupStep(.joinNamespaces, "set parent-death signal \(signal) in the pid namespace",
                                   .parentDeathSignal(signal.rawValue)))
        }
        steps += try filesystemSteps()
        if newSession { steps.append(.syscall(.session, "setsid", Int(SYS_setsid))) }
        let privileges = try privilegeSteps()
        steps += privileges.steps
        let initImage = usesInit ? try InitImage.descriptor() : nil
        steps += layout.steps(initImage: initImage)
        if let workingDirectory {
            steps.append(.syscall(.workingDirectory, "chdir \(workingDirectory)", Int(SYS_chdir), .string(workingDirectory.string)))
        }
        // Stable: within a phase, steps keep the order their layer gave.
        // Indices are sorted, so that each step is copied once.
        steps = steps.indices.sorted { (steps[$0].phase, $0) < (steps[$1].phase, $1) }.map { steps[$0] }

        var environmentList: [String]? = variables.map { "\($0.key)=\($0.value)" }.sorted()
        if socketActivation {
            environmentList? += ["LISTEN_FDS=\(passedDescriptors.count)"]
            if let listenPID { environmentList? += ["LISTEN_PID=\(listenPID)"] } else { environmentList = nil }
        }
        let environmentArgument: StepArgument = environmentList.map { .strings($0) } ?? .slot(Self.environmentSlot)
        if usesInit {
            let execIndex = steps.count
            let initArgv = ["containment-init", String(layout.errorTarget), String(layout.statusTarget)] + (seccompPlan ?? SeccompPlan()).initArguments
                + [String(execIndex), String(candidates.count)] + candidates + argv
            steps.append(.syscall(.exec, "exec \(executable)", Int(SYS_execveat), .integer(Int(layout.initImageTarget)),
                                  .string(""), .strings(initArgv), environmentArgument, .integer(0x1000 /* AT_EMPTY_PATH */)))
        } else {
            var empty = sigset_t()
            sigemptyset(&empty)
            let mask = withUnsafeBytes(of: &empty) { Array($0.prefix(8)) }
            steps.append(.syscall(.exec, "unblock signals", Int(SYS_rt_sigprocmask),
                                  .integer(Int(SIG_SETMASK)), .bytes(mask), .integer(0), .integer(8)))
            steps += seccompPlan?.loadSteps ?? []
            steps.append(SetupStep(.exec, "exec \(executable)",
                                   .exec(candidates: candidates, arguments: argv, environment: environmentArgument)))
        }
        return SetupPlan(arguments: argv, executableCandidates: candidates, namespaces: isolation.namespaces,
                         hostActions: hostActions, landlock: privileges.landlock, steps: steps, usesInit: usesInit,
                         needsSync: needsSync, keptDescriptors: layout.keptDescriptors(initImage: initImage), environment: environmentList,
                         needsSeccompSupervisor: seccompPlan?.needsListener ?? false,
                         cloneNamespaces: isolation.cloneNamespaces(preparedNetwork: pool != nil), pool: pool, cgroups: cgroups)
    }


    private func validate(pool: NetworkNamespacePool) throws(SandboxError) {
        let needed: NamespaceSet = [.user, .network, .pid]
        if !isolation.namespaces.isSuperset(of: needed) {
            throw SandboxError.invalid("network", "a pooled network namespace needs .user, .network and .pid in namespaces (the pid namespace ends every process of the sandbox before its entry is reused); missing \(needed.subtracting(isolation.namespaces))")
        }
        if isolation.userMapping != pool.mapping {
            throw SandboxError.invalid("network", "the pool's user namespaces map \(pool.mapping.uids.map(\.description)) and \(pool.mapping.gids.map(\.description)), but user is \(isolation.userMapping.uids.map(\.description)) and \(isolation.userMapping.gids.map(\.description)); use a pool made with this mapping")
        }
        if !isolation.loopbackUp {
            throw SandboxError.invalid("network", "pooled network namespaces have lo up; set isolation.loopbackUp or use a fresh namespace")
        }
    }

    /// The slot of an environment rendered per spawn (LISTEN_PID without a pid namespace).
    static let environmentSlot = StepSlot("environment")

    private func validate(argv: [String], environment: [String: String]) throws(SandboxError) {
        if argv[0].isEmpty { throw SandboxError.invalid("executable", "is empty; give a path or a name to look up in PATH") }
        for (index, argument) in argv.enumerated() where argument.utf8.contains(0) {
            throw SandboxError.invalid(index == 0 ? "executable" : "arguments[\(index - 1)]", "contains a NUL byte")
        }
        for (name, value) in environment where name.isEmpty || name.contains("=") || (name + value).utf8.contains(0) {
            throw SandboxError.invalid("environment", "variable \"\(name)\" needs a non-empty name without \"=\" or NUL")
        }
        if let workingDirectory, !workingDirectory.isAbsolute {
            throw SandboxError.invalid("workingDirectory", "\"\(workingDirectory)\" is relative; give an absolute path")
        }
        if let wallTimeLimit, wallTimeLimit <= .zero {
            throw SandboxError.invalid("wallTimeLimit", "must be positive, got \(wallTimeLimit)")
        }
        if socketActivation && passedDescriptors.isEmpty {
            throw SandboxError.invalid("socketActivation", "no descriptors to announce; add the listening sockets to passedDescriptors")
        }
        for fd in passedDescriptors where fcntl(fd.rawValue, F_GETFD) == -1 {
            throw SandboxError.invalid("passedDescriptors", "descriptor \(fd.rawValue) is not open")
        }
    }

    /// The paths exec tries: the executable itself when it has a slash,
    /// else each PATH directory in turn.
    private func executableCandidates(_ executable: String, path: String?) throws(SandboxError) -> [String] {
        if executable.contains("/") { return [executable] }
        guard let path, !path.isEmpty else {
            throw SandboxError.invalid("executable", "\"\(executable)\" is not a path and the environment has no PATH; give an absolute path or set PATH")
        }
        return path.split(separator: ":", omittingEmptySubsequences: false).map { directory in
            (directory.isEmpty ? "." : String(directory)) + "/" + executable
        }
    }
}
