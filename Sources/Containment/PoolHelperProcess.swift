import CContainment
import ContainmentSupport
import Glibc
import SystemPackage

/// A short-lived process of the network namespace pool, run synchronously on
/// the pool's own thread: the maker that creates a user and network
/// namespace pair.
/// It is a spawn-core child like a sandbox's (clone3 with CLONE_VM on a
/// private stack, raw system calls only, a rendered plan) that never execs:
/// its plan ends in exit_group(2).
struct PoolHelperProcess {
    let rendered: RenderedPlan
    let cloneFlags: NamespaceSet
    let steps: [SetupStep]

    init(_ steps: [SetupStep], cloneFlags: NamespaceSet) throws(SandboxError) {
        let all = steps + [.syscall(.exec, "exit", Int(SYS_exit_group), .integer(0))]
        self.steps = all
        self.rendered = try RenderedPlan(all)
        self.cloneFlags = cloneFlags
    }

    /// Clones the helper with `slots`, calls `body` with its pid and the
    /// write end of its sync pipe (write one byte to release a helper that
    /// waits for its parent), then reaps it. Throws the failed step, or a
    /// failed system call.
    func run(slots: [StepSlot: Int], _ body: (_ pid: Int32, _ release: () throws(SandboxError) -> Void) throws -> Void) throws {
        let error = try pipePair("error")
        defer { close(error.read) }
        _ = fcntl(error.read, F_SETFL, O_NONBLOCK)
        let sync = try pipePair("sync")
        var syncWrite: Int32 = sync.write
        defer { if syncWrite >= 0 { close(syncWrite) } }
        let stack = try ChildStack.take()
        let request = UnsafeMutablePointer<cn_spawn_request>.allocate(capacity: 1)
        request.initialize(to: cn_spawn_request())
        defer { request.deallocate() }
        request.pointee.steps = rendered.steps
        request.pointee.step_count = UInt32(rendered.count)
        request.pointee.cgroup_fd = -1
        request.pointee.clone_flags = cloneFlags.rawValue
        request.pointee.keep = (-1, -1, -1, -1)
        request.pointee.stack = UnsafeMutableRawPointer(stack.base)
        request.pointee.stack_size = ChildStack.size
        var values = slots
        values[.error] = Int(error.write)
        values[.sync] = Int(sync.read)
        withUnsafeMutableBytes(of: &request.pointee.slots) { raw in
            for (slot, value) in values {
                guard let index = rendered.slotIndex[slot] ?? slot.fixedIndex else { continue }
                raw.storeBytes(of: value, toByteOffset: index * MemoryLayout<Int>.stride, as: Int.self)
            }
        }
        var pid: Int32 = 0
        var pidfd: Int32 = -1
        let cloned = cn_spawn(request, &pid, &pidfd)
        close(error.write)
        close(sync.read)
        guard cloned == 0 else {
            stack.recycle()
            throw SandboxError.spawnFailed("clone3 a pool helper \(cloneFlags)", errno: Errno(rawValue: -cloned),
                                           remedy: HostDiagnosis.cloneRemedy(errno: -cloned, namespaces: cloneFlags))
        }
        var bodyError: (any Error)?
        do {
            try body(pid) { () throws(SandboxError) in try SpawnPipes.release(&syncWrite, "release a pool helper") }
        } catch {
            bodyError = error
            _ = cn_pidfd_send_signal(pidfd, SIGKILL)
        }
        if syncWrite >= 0 { close(syncWrite); syncWrite = -1 }
        var status: Int32 = 0
        var usage = rusage()
        var reaped: Int32
        repeat { reaped = cn_wait_pidfd(pidfd, &status, &usage) } while reaped == -EINTR
        close(pidfd)
        stack.recycle()
        if let bodyError { throw bodyError }
        var failure = cn_failure()
        if read(error.read, &failure, MemoryLayout<cn_failure>.size) == MemoryLayout<cn_failure>.size {
            let step = Int(failure.step) < steps.count ? steps[Int(failure.step)].description : "step \(failure.step)"
            throw SandboxError.setupFailed(step: "network namespace pool: " + step, errno: Errno(rawValue: failure.error))
        }
        if status != 0 {
            throw SandboxError.spawnFailed("network namespace pool helper ended with status \(status)", errno: .ioError)
        }
    }

    private func pipePair(_ what: String) throws(SandboxError) -> (read: Int32, write: Int32) {
        do {
            let pipe = try makePipe()
            return (pipe.read.rawValue, pipe.write.rawValue)
        } catch {
            throw .spawnFailed("create a pool helper's \(what) pipe", errno: error)
        }
    }
}
