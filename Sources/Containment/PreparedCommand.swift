import CContainment
import ContainmentSupport
import Glibc
import SystemPackage

/// A sandbox and a command, validated and rendered once, ready to spawn any
/// number of times. Spawning a prepared command does no planning, rendering
/// or filter compilation: the path a high-rate spawner wants.
public final class PreparedCommand: Sendable {
    /// The plan every spawn follows.
    public let plan: SetupPlan
    let sandbox: Sandbox
    private let primary: Variant
    /// With a pooled network: the plan with fresh namespaces, for spawns
    /// that find the pool empty.
    private let fallback: Variant?
    /// With a pooled network: how a returned entry is checked.
    private let recycleCheck: PoolRecycleCheck?

    /// A plan rendered, with the hooks its spawns run.
    private struct Variant: Sendable {
        let plan: SetupPlan
        let rendered: RenderedPlan
        let hooks: [any SpawnHook]

        init(sandbox: Sandbox, plan: SetupPlan, reusable: Bool) throws {
            self.plan = plan
            self.rendered = try RenderedPlan(plan.steps)
            var hooks: [any SpawnHook] = []
            if plan.cloneNamespaces.contains(.user) { hooks.append(IDMapHook(mapping: sandbox.isolation.userMapping)) }
            if let cgroups = plan.cgroups { hooks.append(try CgroupHook(plan: cgroups, recycles: reusable)) }
            if let filter = sandbox.seccomp { hooks.append(SeccompHook(filter: filter, needsListener: plan.needsSeccompSupervisor)) }
            if let cpuTime = CPUTimeLimitHook(sandbox.resourceLimits) { hooks.append(cpuTime) }
            if let landlock = plan.landlock, let hook = try LandlockHook(landlock) { hooks.append(hook) }
            self.hooks = hooks
        }
    }

    /// `reusable` false: for one spawn, which keeps nothing for a next one
    /// (no recycled cgroup directories).
    init(sandbox: Sandbox, plan: SetupPlan, fallback: SetupPlan?, reusable: Bool) throws {
        self.sandbox = sandbox
        self.plan = plan
        self.primary = try Variant(sandbox: sandbox, plan: plan, reusable: reusable)
        self.fallback = try fallback.map { try Variant(sandbox: sandbox, plan: $0, reusable: reusable) }
        self.recycleCheck = plan.pool == nil ? nil : sandbox.poolRecycleCheck
    }

    /// Spawns the command and returns once the payload runs (its exec
    /// succeeded), or throws the failed setup step.
    public func spawn(
        input: InputOption = .none,
        output: OutputOption = .discarded,
        error: OutputOption = .discarded
    ) async throws -> SandboxProcess {
        let stdio = try StandardIO(input: input, output: output, error: error)
        var spawn = SpawnResources()
        let started = ContinuousClock.now
        var variant = primary
        if let pool = primary.plan.pool, let recycleCheck {
            if let entry = pool.core.take() {
                spawn.sessions.append(PoolSession(core: pool.core, entry: entry, check: recycleCheck))
            } else if let fallback {
                variant = fallback
            }
        }
        let plan = variant.plan
        let cloned: (result: Int32, pid: Int32, pidfd: Int32)
        var failedWhileCloning: (any Error)?
        do {
            try prepare(&spawn, variant: variant, stdio: stdio)
            let request = try spawn.makeRequest(rendered: variant.rendered, plan: plan)
            let sessions = spawn.sessions
            cloned = try await SpawnThreads.run({ request.clone() }, meanwhile: {
                do { for session in sessions { try session.whileCloning() } } catch { failedWhileCloning = error }
            })
            guard cloned.result == 0 else {
                // A cgroup that failed meanwhile may have failed the clone into it.
                if let failedWhileCloning { throw failedWhileCloning }
                throw SandboxError.spawnFailed("clone3 \(plan.cloneNamespaces)", errno: Errno(rawValue: -cloned.result),
                                               remedy: HostDiagnosis.cloneRemedy(errno: -cloned.result, namespaces: plan.cloneNamespaces))
            }
        } catch {
            spawn.abandon()
            throw error
        }
        spawn.childExists()

        var child = ChildReaper(pid: cloned.pid, pidfd: cloned.pidfd)
        do {
            if let failedWhileCloning { throw failedWhileCloning }
            for session in spawn.sessions { try session.childCreated(pid: child.pid) }
            if plan.environment == nil { spawn.request?.setEnvironment(listenEnvironment(pid: child.pid)) }
            try spawn.pipes.release()
        } catch {
            _ = cn_pidfd_send_signal(child.pidfd, SIGKILL)
            spawn.pipes.closeAll()
            await child.reapQuietly()
            spawn.abandon()
            throw error
        }

        let report = await spawn.pipes.awaitExecReport()
        spawn.childLeftSharedMemory()
        var failure = report.failure
        if plan.clonesIntoPidNamespace {
            // The first child cloned the sandbox into its pid namespace and
            // exits: reap it, and track the sandbox's pid 1 instead.
            let setup = child
            if let pid = report.childPID {
                let pidfd = cn_pidfd_open(pid)
                if pidfd >= 0 {
                    child = ChildReaper(pid: pid, pidfd: pidfd)
                } else {
                    _ = kill(pid, SIGKILL)
                    var info = siginfo_t()
                    _ = waitid(P_PID, id_t(pid), &info, Glibc.WEXITED | Int32(bitPattern: 0x4000_0000) /* __WALL */)
                    if failure == nil { failure = cn_failure(step: UInt32.max, error: Int32(-pidfd)) }
                }
            } else if failure == nil {
                failure = cn_failure(step: UInt32.max, error: ECHILD)
            }
            await setup.reapSoon()
        }
        if let failure {
            await child.reapQuietly()
            spawn.abandon()
            let step = Int(failure.step) < plan.steps.count ? plan.steps[Int(failure.step)].description : "exec"
            throw SandboxError.setupFailed(step: step, errno: Errno(rawValue: failure.error),
                                           remedy: HostDiagnosis.stepRemedy(step: step, errno: failure.error))
        }
        // The sandbox's end is watched from now on, so that its wall time
        // does not depend on when a task gets to wait for it.
        let endWatch: EventLoop.Readiness
        do {
            endWatch = try EventLoop.shared().watchReadable(child.pidfd)
        } catch {
            _ = cn_pidfd_send_signal(child.pidfd, SIGKILL)
            await child.reapQuietly()
            spawn.abandon()
            throw error
        }
        let process = try SandboxProcess(
            pid: child.pid, pidfd: child.pidfd, endWatch: endWatch, statusPipe: spawn.pipes.takeStatusRead(), started: started,
            stdio: stdio, sessions: spawn.sessions, wallTimeLimit: sandbox.wallTimeLimit)
        if let bytes = stdio.inputBytes, let sink = stdio.input {
            Task { try? await sink.write(bytes); sink.finish() }
        }
        return process
    }

    /// Opens what one spawn needs before clone: pipes, namespaces to join,
    /// the layers' sessions, and the slot values that point at them.
    private func prepare(_ spawn: inout SpawnResources, variant: Variant, stdio: StandardIO) throws {
        spawn.values.closeAfterClone = stdio.closeAfterClone
        for (slot, fd) in zip(DescriptorLayout.stdio, stdio.childDescriptors) { spawn.values.slots[slot] = Int(fd) }
        for (index, fd) in sandbox.passedDescriptors.enumerated() {
            spawn.values.slots[DescriptorLayout.passed(index)] = Int(fd.rawValue)
        }
        let plan = variant.plan
        spawn.pipes = try SpawnPipes(sync: plan.needsSync, status: plan.usesInit)
        spawn.pipes.fill(&spawn.values)
        for join in sandbox.isolation.joins {
            let fd = open(join.path.string, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw NamespaceError(.joinUnavailable, field: "joins", "open \(join.path): \(errnoName(errno)); is the process still running?")
            }
            spawn.values.closeAfterClone.append(fd)
            spawn.values.slots[NamespaceConfiguration.joinSlot(join.kind)] = Int(fd)
        }
        for session in spawn.sessions { try session.prepare(&spawn.values) }
        for hook in variant.hooks {
            let session = try hook.begin()
            spawn.sessions.append(session)
            try session.prepare(&spawn.values)
        }
    }

    /// Spawns the command, feeds and collects its I/O, and waits for it.
    ///
    /// Cancelling the calling task ends the sandbox: `run` throws
    /// `CancellationError` once every process is gone and the sandbox's
    /// resources are released. A sandbox that had already ended on its own
    /// returns its result.
    public func run(
        input: InputOption = .none,
        output: OutputOption = .discarded,
        error: OutputOption = .discarded
    ) async throws -> SandboxResult {
        try Task.checkCancellation()
        let process = try await spawn(input: input, output: output, error: error)
        let result = try await withTaskCancellationHandler {
            async let standardOutput = process.collectStandardOutput()
            async let standardError = process.collectStandardError()
            var result = try await process.wait()
            (result.standardOutputBytes, result.droppedStandardOutputBytes) = try await standardOutput
            (result.standardErrorBytes, result.droppedStandardErrorBytes) = try await standardError
            // Also when the payload ended on its own before the kill.
            if process.exceededOutputLimit && result.verdict.isNormal { result.verdict = .outputLimit }
            return result
        } onCancel: {
            try? process.kill()
        }
        // Nothing else can kill a sandbox whose handle only `run` holds.
        if result.verdict == .killedOnRequest { throw CancellationError() }
        return result
    }

    /// The environment of a socket-activated payload without a pid namespace,
    /// whose LISTEN_PID is its host pid.
    private func listenEnvironment(pid: Int32) -> [String] {
        sandbox.environment.resolved.map { "\($0.key)=\($0.value)" }.sorted()
            + ["LISTEN_FDS=\(sandbox.passedDescriptors.count)", "LISTEN_PID=\(pid)"]
    }
}

extension Sandbox {
    /// Validates and renders the sandbox for `executable` and `arguments`
    /// once, for any number of spawns.
    ///
    /// Where the host allows, the command keeps the cgroup directories of
    /// its finished spawns for the next ones (see Documentation/Cgroups.md,
    /// "Recycled directories"); releasing the command removes them.
    public func prepare(_ executable: String, _ arguments: [String] = []) throws -> PreparedCommand {
        try prepare(executable, arguments, reusable: true)
    }

    /// ``prepare(_:_:)``; `reusable` false for one spawn (see ``PreparedCommand``'s init).
    private func prepare(_ executable: String, _ arguments: [String], reusable: Bool) throws -> PreparedCommand {
        let plan = try plan(executable, arguments)
        let fallback = plan.pool == nil ? nil : try self.plan(executable, arguments, pooled: false)
        return try PreparedCommand(sandbox: self, plan: plan, fallback: fallback, reusable: reusable)
    }

    /// Spawns `executable` with `arguments` (argv[1...]) in a new sandbox and
    /// returns once it runs.
    public func spawn(
        _ executable: String,
        _ arguments: [String] = [],
        input: InputOption = .none,
        output: OutputOption = .discarded,
        error: OutputOption = .discarded
    ) async throws -> SandboxProcess {
        try await prepare(executable, arguments, reusable: false).spawn(input: input, output: output, error: error)
    }

    /// Runs `executable` with `arguments` (argv[1...]) in a new sandbox and
    /// waits for it to end. Cancelling the calling task ends the sandbox and
    /// throws `CancellationError` (see ``PreparedCommand/run(input:output:error:)``).
    public func run(
        _ executable: String,
        _ arguments: [String] = [],
        input: InputOption = .none,
        output: OutputOption = .discarded,
        error: OutputOption = .discarded
    ) async throws -> SandboxResult {
        try await prepare(executable, arguments, reusable: false).run(input: input, output: output, error: error)
    }
}
