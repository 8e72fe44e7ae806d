import CContainment
import Glibc
import Synchronization
import SystemPackage

/// One epoll(7) loop on one thread for every sandbox of the process.
///
/// Waiting on thousands of live sandboxes (their pidfds, pipes and seccomp
/// listeners) takes no thread per sandbox: a task awaits readiness of a
/// descriptor and the loop resumes it. Registrations are one-shot and removed
/// before the task resumes, so a closed and reused descriptor number is never
/// confused with the old one.
package final class EventLoop: Sendable {
    private let epoll: Int32
    private let waiters = Mutex<[UInt64: Waiter]>([:])
    private let nextToken = Atomic<UInt64>(1)

    /// What a registration resumes: a suspended task, or an action the
    /// loop's own thread runs (timers, which must fire even while every
    /// thread of the cooperative pool is busy).
    private enum Waiter {
        /// Resumed with the instant the loop saw the descriptor ready.
        case task(CheckedContinuation<ContinuousClock.Instant, Never>)
        case action(@Sendable () -> Void)
    }

    private static let sharedLoop: Result<EventLoop, Errno> = Result { () throws(Errno) in try EventLoop() }

    /// The process's loop, started on first use.
    package static func shared() throws(Errno) -> EventLoop { try sharedLoop.get() }

    private init() throws(Errno) {
        epoll = try retryingInterrupts { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        try startDetachedThread { [self] in run() }
    }

    /// Suspends until `fd` is readable (or hung up / in error); returns when
    /// the loop saw it so, which may be well before the task runs again on
    /// a busy cooperative pool (a sandbox's wall time is measured to it).
    @discardableResult
    package func waitUntilReadable(_ fd: Int32) async throws(Errno) -> ContinuousClock.Instant {
        try await wait(fd, for: EPOLLIN.rawValue)
    }

    /// Suspends until `fd` is writable (or its reader is gone).
    package func waitUntilWritable(_ fd: Int32) async throws(Errno) {
        try await wait(fd, for: EPOLLOUT.rawValue)
    }

    @discardableResult
    private func wait(_ fd: Int32, for events: UInt32) async throws(Errno) -> ContinuousClock.Instant {
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        var failure: Errno?
        let ready = await withCheckedContinuation { (continuation: CheckedContinuation<ContinuousClock.Instant, Never>) in
            waiters.withLock { $0[token] = .task(continuation) }
            do throws(Errno) {
                try register(fd, events: events, token: token)
            } catch {
                failure = error
                resume(waiters.withLock { $0.removeValue(forKey: token) }, at: .now)
            }
        }
        if let failure { throw failure }
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
        return ready
    }

    /// Runs `action` on the loop's thread once `delay` has passed, unless
    /// the returned timer is cancelled first. `action` must be brief and
    /// must not block: every sandbox's waiting shares the thread.
    package func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) throws(Errno) -> Timer {
        let (seconds, attoseconds) = delay.components
        let nanoseconds = seconds > Int64.max / 1_000_000_000 ? Int64.max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        let fd = cn_timer_after(nanoseconds)
        if fd < 0 { throw Errno(rawValue: -fd) }
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        let timer = Timer(loop: self, fd: fd, token: token)
        waiters.withLock { $0[token] = .action { [timer] in timer.fire(action) } }
        do {
            try register(fd, events: EPOLLIN.rawValue, token: token)
        } catch {
            timer.cancel()
            throw error
        }
        return timer
    }

    /// A pending ``schedule(after:_:)``: its timerfd and registration.
    package final class Timer: Sendable {
        private let loop: EventLoop
        private let fd: Int32
        private let token: UInt64
        private let done = Atomic<Bool>(false)

        fileprivate init(loop: EventLoop, fd: Int32, token: UInt64) {
            self.loop = loop
            self.fd = fd
            self.token = token
        }

        /// Keeps the action from running, if it has not started; releases
        /// the timerfd. Harmless after firing and when repeated.
        package func cancel() {
            guard finish() else { return }
            loop.waiters.withLock { _ = $0.removeValue(forKey: token) }
        }

        fileprivate func fire(_ action: @Sendable () -> Void) {
            if finish() { action() }
        }

        /// True for the first caller of cancel or fire, which closes the timerfd.
        private func finish() -> Bool {
            guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return false }
            close(fd)
            return true
        }
    }

    private func register(_ fd: Int32, events: UInt32, token: UInt64) throws(Errno) {
        var event = epoll_event()
        event.events = events | EPOLLONESHOT.rawValue
        event.data.u64 = token
        if epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0 { throw Errno(rawValue: errno) }
    }

    private func resume(_ waiter: Waiter?, at instant: ContinuousClock.Instant) {
        switch waiter {
        case .task(let continuation): continuation.resume(returning: instant)
        case .action(let action): action()
        case nil: break
        }
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            guard count > 0 else { continue }
            let now = ContinuousClock.now
            for event in events[0..<Int(count)] {
                resume(waiters.withLock { $0.removeValue(forKey: event.data.u64) }, at: now)
            }
        }
    }
}
