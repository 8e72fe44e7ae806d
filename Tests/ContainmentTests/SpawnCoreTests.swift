import CContainment
@testable import Containment
import Glibc
import Synchronization
import Testing

/// The C spawn core on its own, with a hand-made plan: wait for the parent,
/// then exit.
@Suite struct SpawnCoreTests {
    /// A descriptor another thread of the host had open when the child was
    /// cloned is closed by the child before it waits: the pipe reaches
    /// end-of-file while the child still waits, so nothing in the host can
    /// end up waiting on a sandbox's setup. (clone3 copies the whole
    /// descriptor table, O_CLOEXEC ones too, which only go at exec; the pipe
    /// is O_CLOEXEC so that processes other tests start meanwhile do not
    /// keep it open past their exec.)
    @Test func aWaitingChildHoldsNoDescriptorOfOtherWork() async throws {
        var other: [Int32] = [-1, -1], sync: [Int32] = [-1, -1], error: [Int32] = [-1, -1]
        try #require(pipe(&other) == 0 && pipe(&sync) == 0 && pipe(&error) == 0)
        for fd in other + sync + error { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { for fd in other + sync + error where fd >= 0 { close(fd) } }

        var wait = cn_step()
        wait.op = CN_OP_WAIT_PARENT.rawValue
        var exit = cn_step()
        exit.op = CN_OP_SYSCALL.rawValue
        exit.nr = Int(SYS_exit_group)
        let steps = [wait, exit]
        let stack = try ChildStack.take()
        defer { stack.recycle() }
        var (pid, pidfd): (Int32, Int32) = (0, -1)
        let result = steps.withUnsafeBufferPointer { steps in
            var request = cn_spawn_request()
            request.steps = steps.baseAddress
            request.step_count = UInt32(steps.count)
            request.cgroup_fd = -1
            request.keep = (-1, -1, -1, -1)
            request.slots.1 = Int(sync[0])
            request.slots.2 = Int(error[1])
            request.stack = UnsafeMutableRawPointer(stack.base)
            request.stack_size = ChildStack.size
            let result = cn_spawn(&request, &pid, &pidfd)
            // The child reads the request until it exits; it waits for the
            // sync byte below, after which this frame is not needed.
            close(other[1]); other[1] = -1
            var hangUp = pollfd(fd: other[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&hangUp, 1, 5000)
            var byte: UInt8 = 0
            let endOfFile = ready == 1 && read(other[0], &byte, 1) == 0
            _ = withUnsafeBytes(of: UInt8(1)) { write(sync[1], $0.baseAddress, 1) }
            var info = siginfo_t()
            _ = waitid(idtype_t(rawValue: 3) /* P_PIDFD */, id_t(pidfd), &info, Glibc.WEXITED | Int32(bitPattern: 0x4000_0000) /* __WALL */)
            return (result, endOfFile, info.si_code == CLD_EXITED)
        }
        close(pidfd)
        #expect(result.0 == 0)
        #expect(result.1, "the waiting child kept the other pipe's write end open")
        #expect(result.2, "the child did not exit after the parent released it")
    }

    /// A child that reported a failed step runs on, on the stack and plan it
    /// shares with the host, until it exits: its report counts only at
    /// end-of-file, once the child has no memory of the host's left. (Taken
    /// at once, the report let the stack go to the next spawn while the
    /// failing child could still push onto it.)
    @Test func aFailureReportWaitsForTheChildToLetGo() async throws {
        var pipes = try SpawnPipes(sync: false, status: false)
        var values = SpawnValues()
        pipes.fill(&values)
        let childEnd = Int32(try #require(values.slots[.error]))
        var failure = cn_failure(step: 3, error: ENOENT)
        #expect(write(childEnd, &failure, MemoryLayout<cn_failure>.size) == MemoryLayout<cn_failure>.size)
        let returned = Atomic(false)
        let report = Task { [pipes] in
            var pipes = pipes
            defer { returned.store(true, ordering: .releasing) }
            return await pipes.awaitExecReport()
        }
        try await Task.sleep(for: .milliseconds(200))
        let takenEarly = returned.load(ordering: .acquiring)
        #expect(!takenEarly, "the report was taken while the child still ran")
        pipes.closeChildEnds()
        let reported = await report.value.failure
        #expect(reported?.step == 3 && reported?.error == ENOENT)
    }
}
