import CContainment
import ContainmentSupport
import Glibc
import SystemPackage

/// The spawn core's request for one spawn, in memory the child reads until it
/// exec's: the shared rendered plan, this spawn's slot values, its stack.
final class SpawnRequest: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<cn_spawn_request>
    private let rendered: RenderedPlan
    private var environment: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    init(rendered: RenderedPlan, plan: SetupPlan, values: SpawnValues) {
        self.rendered = rendered
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: cn_spawn_request())
        pointer.pointee.steps = rendered.steps
        pointer.pointee.step_count = UInt32(rendered.count)
        pointer.pointee.cgroup_fd = values.cgroupDescriptor ?? -1
        pointer.pointee.clone_flags = plan.cloneNamespaces.rawValue
        pointer.pointee.keep = plan.keptDescriptors
        for (slot, value) in values.slots { setSlot(slot, value) }
    }

    private func setSlot(_ slot: StepSlot, _ value: Int) {
        guard let index = rendered.slotIndex[slot] else { return }
        withUnsafeMutableBytes(of: &pointer.pointee.slots) {
            $0.storeBytes(of: value, toByteOffset: index * MemoryLayout<Int>.stride, as: Int.self)
        }
    }

    /// Clones the child. Returns (0 or a negated errno, pid, pidfd).
    func clone() -> (Int32, Int32, Int32) {
        var pid: Int32 = 0
        var pidfd: Int32 = -1
        let result = cn_spawn(pointer, &pid, &pidfd)
        return (result, pid, pidfd)
    }

    /// Sets an environment rendered after clone; the child reads its slots
    /// again once the parent releases it.
    func setEnvironment(_ variables: [String]) {
        let list = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: variables.count + 1)
        for (index, variable) in variables.enumerated() { list[index] = strdup(variable) }
        list[variables.count] = nil
        environment = list
        setSlot(Sandbox.environmentSlot, Int(bitPattern: list))
    }

    /// Frees the request; only once the child has exec'd or exited.
    func release() {
        if let environment {
            var entry = environment
            while let string = entry.pointee { free(string); entry += 1 }
            environment.deallocate()
        }
        pointer.deallocate()
    }
}

/// The pipes between parent and child of one spawn: error (exec report), sync
/// (release), and the minimal init's status pipe. All close-on-exec.
struct SpawnPipes {
    private(set) var errorRead: Int32 = -1
    private var errorWrite: Int32 = -1
    private var syncRead: Int32 = -1
    private(set) var syncWrite: Int32 = -1
    private var statusRead: Int32 = -1
    private var statusWrite: Int32 = -1

    init() {}

    init(sync: Bool, status: Bool) throws(Errno) {
        do {
            (errorRead, errorWrite) = try Self.pair()
            if sync { (syncRead, syncWrite) = try Self.pair() }
            if status { (statusRead, statusWrite) = try Self.pair() }
            for fd in [errorRead, statusRead] where fd >= 0 { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        } catch {
            closeAll()
            throw error
        }
    }

    private static func pair() throws(Errno) -> (Int32, Int32) {
        let pipe = try makePipe()
        return (pipe.read.rawValue, pipe.write.rawValue)
    }

    /// Hands the child's ends to the spawn core.
    func fill(_ values: inout SpawnValues) {
        values.slots[.error] = Int(errorWrite)
        values.slots[.sync] = Int(syncRead)
        values.slots[DescriptorLayout.status] = Int(statusWrite)
    }

    /// Closes the parent's copies of the child's ends, once the child exists.
    mutating func closeChildEnds() {
        for fd in [errorWrite, syncRead, statusWrite] where fd >= 0 { close(fd) }
        (errorWrite, syncRead, statusWrite) = (-1, -1, -1)
    }

    /// Lets a waiting child go on.
    mutating func release() throws(SandboxError) {
        guard syncWrite >= 0 else { return }
        try Self.release(&syncWrite, "release the child")
    }

    /// Writes the byte a child waiting on `syncWrite`'s pipe reads to go on,
    /// and closes the pipe (`syncWrite` becomes -1). A child that died before
    /// is EPIPE, not SIGPIPE.
    static func release(_ syncWrite: inout Int32, _ what: String) throws(SandboxError) {
        var byte: UInt8 = 1
        let written = cn_write_without_sigpipe(syncWrite, &byte, 1)
        close(syncWrite)
        syncWrite = -1
        if written != 1 { throw .spawnFailed(what, errno: Errno(rawValue: written < 0 ? Int32(-written) : EIO)) }
    }

    /// Waits for the child's exec report: the first failed step, if any,
    /// and the pid a child that cloned into its pid namespace handed over
    /// (`CN_STEP_CHILD_PID`). Reads to the end of file, which comes only
    /// once every spawn child of this request has exec'd or exited: the
    /// kernel drops a task's memory before its descriptors (exit_mm before
    /// exit_files in do_exit; exec_mmap before the close-on-exec pass), so
    /// from then on no child touches the stack or the plan it shared with
    /// this process. A child that reported a failure is still running
    /// until it exits; freeing its stack at the report let it push onto a
    /// stack the next spawn already used.
    mutating func awaitExecReport() async -> (failure: cn_failure?, childPID: Int32?) {
        defer { close(errorRead); errorRead = -1 }
        var failure = cn_failure()
        var firstFailure: cn_failure?
        var childPID: Int32?
        while true {
            let count = read(errorRead, &failure, MemoryLayout<cn_failure>.size)
            if count == MemoryLayout<cn_failure>.size {
                if failure.step == CN_STEP_CHILD_PID {
                    childPID = failure.error
                } else {
                    firstFailure = firstFailure ?? failure
                }
                continue
            }
            if count == 0 { return (firstFailure, childPID) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == EAGAIN {
                try? await EventLoop.shared().waitUntilReadable(errorRead)
                continue
            }
            return (firstFailure ?? cn_failure(step: UInt32.max, error: count < 0 ? errno : EIO), childPID)
        }
    }

    /// Gives the status pipe's read end to the process handle.
    mutating func takeStatusRead() -> Int32? {
        defer { statusRead = -1 }
        return statusRead >= 0 ? statusRead : nil
    }

    /// Closes whatever is still open.
    mutating func closeAll() {
        closeChildEnds()
        for fd in [errorRead, syncWrite, statusRead] where fd >= 0 { close(fd) }
        (errorRead, syncWrite, statusRead) = (-1, -1, -1)
    }
}

/// The host resources of one spawn in flight, released exactly once on
/// every path: those the child inherits (closed once it exists), the memory
/// it reads (freed once it exec'd or exited), and the rest.
struct SpawnResources {
    var values = SpawnValues()
    var pipes = SpawnPipes()
    var sessions: [any SpawnSession] = []
    private(set) var request: SpawnRequest?
    private var stack: ChildStack?

    /// The spawn core's request, with a child stack.
    mutating func makeRequest(rendered: RenderedPlan, plan: SetupPlan) throws(SandboxError) -> SpawnRequest {
        let stack = try ChildStack.take()
        let request = SpawnRequest(rendered: rendered, plan: plan, values: values)
        request.pointer.pointee.stack = UnsafeMutableRawPointer(stack.base)
        request.pointer.pointee.stack_size = ChildStack.size
        self.stack = stack
        self.request = request
        return request
    }

    /// Closes the parent's copies of what the child inherited.
    mutating func childExists() {
        values.closeAfterClone.forEach { close($0) }
        values.closeAfterClone = []
        pipes.closeChildEnds()
    }

    /// Frees the memory the child reads; only once it exec'd or exited.
    mutating func childLeftSharedMemory() {
        stack?.recycle()
        stack = nil
        request?.release()
        request = nil
    }

    /// Releases everything after a failed spawn (the child, if any, reaped).
    mutating func abandon() {
        childExists()
        childLeftSharedMemory()
        pipes.closeAll()
        sessions.forEach { $0.cleanUp() }
        sessions = []
    }
}

/// Reaps a child whose spawn failed.
struct ChildReaper {
    let pid: Int32
    let pidfd: Int32

    /// Reaps a child that is exiting: at once when it has exited, else in
    /// the background.
    func reapSoon() async {
        if cn_pidfd_exited(pidfd) == 1 {
            reapExited()
            return
        }
        let child = self
        Task.detached { await child.reapQuietly() }
    }

    /// Waits for the child to exit, reaps it and closes its pidfd.
    func reapQuietly() async {
        try? await EventLoop.shared().waitUntilReadable(pidfd)
        reapExited()
    }

    /// Reaps the child, which has exited, and closes its pidfd.
    func reapExited() {
        var status: Int32 = 0
        var usage = rusage()
        _ = cn_wait_pidfd(pidfd, &status, &usage)
        close(pidfd)
    }
}
