import CContainment
import ContainmentSupport
import Glibc
import Synchronization
import SystemPackage

/// A running sandbox: its payload's pid, I/O streams and control.
///
/// The child is tracked by its pidfd only: waiting is an async wait on the
/// shared event loop (no thread per sandbox, no SIGCHLD handler, no
/// `wait(-1)`). Dropping the handle of a sandbox that still runs kills it and
/// reaps it in the background: nothing is left behind.
public final class SandboxProcess: Sendable {
    /// Host pid of the sandbox's first process (the minimal init when the
    /// sandbox has a pid namespace and one, else the payload).
    public let pid: Int32
    /// The payload's standard input, for `.pipe` input.
    public let standardInput: ByteSink?
    /// The payload's standard output, for `.stream` or collected output.
    public let standardOutput: ByteStream?
    /// The payload's standard error, for `.stream` or collected output.
    public let standardError: ByteStream?

    private let pidfd: Int32
    /// The pidfd's readiness, watched since the spawn: when the sandbox ended.
    private let endWatch: EventLoop.Readiness
    private let statusPipe: Int32?
    private let started: ContinuousClock.Instant
    private let outputCollection: OutputCollection?
    private let errorCollection: OutputCollection?
    let sessions: [any SpawnSession]
    private let state = Mutex(State())

    private struct State {
        var requestedVerdict: Verdict?
        var reaper: Task<SandboxResult, any Error>?
        var timer: EventLoop.Timer?
        var reaped = false
    }

    /// Takes over a running sandbox. When the wall-time timer cannot be
    /// armed, throws; the sandbox is then killed and reaped (see deinit).
    init(pid: Int32, pidfd: Int32, endWatch: EventLoop.Readiness, statusPipe: Int32?, started: ContinuousClock.Instant,
         stdio: StandardIO, sessions: [any SpawnSession], wallTimeLimit: Duration?) throws(Errno) {
        self.pid = pid
        self.pidfd = pidfd
        self.endWatch = endWatch
        self.statusPipe = statusPipe
        self.started = started
        self.standardInput = stdio.inputBytes == nil ? stdio.input : nil
        self.standardOutput = stdio.output
        self.standardError = stdio.error
        self.outputCollection = stdio.outputCollection
        self.errorCollection = stdio.errorCollection
        self.sessions = sessions
        if let wallTimeLimit {
            // Fired by the event loop's thread, so that the limit holds even
            // while every thread of the cooperative pool is busy; the kill
            // runs on a thread of its own (on v1 it may wait for a freeze).
            let timer = try EventLoop.shared().schedule(after: wallTimeLimit) { [weak self] in
                guard let self else { return }
                do { try startDetachedThread(named: "kill") { self.end(with: .wallTimeLimit) } } catch { end(with: .wallTimeLimit) }
            }
            state.withLock { $0.timer = timer }
        }
    }

    deinit {
        let (reaped, timer) = state.withLock { ($0.reaped, $0.timer) }
        timer?.cancel()
        statusPipe.map { _ = close($0) }
        guard !reaped else {
            close(pidfd)
            return
        }
        _ = sessions.contains { $0.killAll() } || cn_pidfd_send_signal(pidfd, SIGKILL) == 0
        let (child, endWatch, sessions) = (ChildReaper(pid: pid, pidfd: pidfd), endWatch, sessions)
        Task.detached {
            _ = await endWatch.wait()
            child.reapExited()
            sessions.forEach { $0.cleanUp() }
        }
    }

    /// Waits for the sandbox to end and returns how and why it ended and what
    /// it used. Any number of callers may wait; the child is reaped once.
    ///
    /// Cancelling a waiting task does not end the sandbox, which other
    /// holders of the handle may still wait for; to end it with the task,
    /// as `Sandbox.run` does, kill it on cancellation:
    ///
    /// ```swift
    /// let result = try await withTaskCancellationHandler {
    ///     try await process.wait()
    /// } onCancel: {
    ///     try? process.kill()
    /// }
    /// ```
    public func wait() async throws -> SandboxResult {
        let reaper = state.withLock { state in
            if let reaper = state.reaper { return reaper }
            let reaper = Task { try await self.reap() }
            state.reaper = reaper
            return reaper
        }
        return try await reaper.value
    }

    /// Sends `signal` to the sandbox (pidfd_send_signal(2)); the minimal init
    /// forwards it to the payload.
    public func signal(_ signal: Signal) throws {
        let result = cn_pidfd_send_signal(pidfd, signal.rawValue)
        if result < 0 { throw Errno(rawValue: -result) }
    }

    /// Kills every process of the sandbox: its cgroup (cgroup.kill) when it has
    /// one, else its pid namespace (by killing its init), else its process.
    /// The verdict becomes `.killedOnRequest`.
    public func kill() throws {
        end(with: .killedOnRequest)
    }

    private func end(with verdict: Verdict) {
        let reaped = state.withLock { state in
            if state.requestedVerdict == nil { state.requestedVerdict = verdict }
            return state.reaped
        }
        guard !reaped else { return }
        if !sessions.contains(where: { $0.killAll() }) { _ = cn_pidfd_send_signal(pidfd, SIGKILL) }
    }

    private func reap() async throws -> SandboxResult {
        // The wall time ends when the loop saw the sandbox end, not when
        // this task got a thread again.
        let ended = await endWatch.wait()
        var status: Int32 = 0
        var rusage = rusage()
        let result = cn_wait_pidfd(pidfd, &status, &rusage)
        if result < 0 { throw Errno(rawValue: -result) }
        let wallTime = ended - started
        var termination = Termination(waitStatus: status)
        if let statusPipe, let payloadStatus = readPayloadStatus(statusPipe) {
            termination = Termination(waitStatus: payloadStatus)
        }
        let requested = state.withLock { state in
            state.reaped = true
            state.timer?.cancel()
            return state.requestedVerdict
        }
        var verdict = termination == .signaled(.kill) ? requested ?? .normal : .normal
        var usage = ResourceUsage(
            wallTime: wallTime,
            userTime: .seconds(rusage.ru_utime.tv_sec) + .microseconds(rusage.ru_utime.tv_usec),
            systemTime: .seconds(rusage.ru_stime.tv_sec) + .microseconds(rusage.ru_stime.tv_usec),
            peakMemory: rusage.ru_maxrss * 1024)
        for session in sessions {
            session.finish(termination, verdict: &verdict, usage: &usage)
            session.cleanUp()
        }
        return SandboxResult(termination: termination, verdict: verdict, usage: usage,
                             standardOutputBytes: [], standardErrorBytes: [])
    }

    /// The payload's wait status as the minimal init reported it, if it did.
    private func readPayloadStatus(_ fd: Int32) -> Int32? {
        var status: Int32 = 0
        return read(fd, &status, 4) == 4 ? status : nil
    }

    /// Collects standard output as `.collected` asked: the kept bytes and
    /// how many were dropped.
    func collectStandardOutput() async throws -> (bytes: [UInt8], dropped: Int) {
        try await collect(standardOutput, outputCollection)
    }

    /// Collects standard error as `.collected` asked.
    func collectStandardError() async throws -> (bytes: [UInt8], dropped: Int) {
        try await collect(standardError, errorCollection)
    }

    /// Whether a collected stream went over its limit with
    /// `OutputOverflow.endSandbox` before anything else ended the sandbox.
    var exceededOutputLimit: Bool { state.withLock { $0.requestedVerdict == .outputLimit } }

    private func collect(_ stream: ByteStream?, _ collection: OutputCollection?) async throws -> (bytes: [UInt8], dropped: Int) {
        guard let stream, let collection else { return ([], 0) }
        return try await stream.collect(limit: collection.limit) {
            if collection.overflow == .endSandbox { end(with: .outputLimit) }
        }
    }
}
