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
        case task(CheckedContinuation<Void, Never>)
        case action(@Sendable () -> Void)
    }

    private static let sharedLoop: Result<EventLoop, Errno> = Result { () throws(Errno) in try EventLoop() }

    /// The process's loop, started on first use.
    package static func shared() throws(Errno) -> EventLoop { try sharedLoop.get() }

    private init() throws(Errno) {
        epoll = try retryingInterrupts { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        try startDetachedThread(named: "loop") { [self] in run() }
    }

    /// Suspends until `fd` is readable (or hung up / in error).
    package func waitUntilReadable(_ fd: Int32) async throws(Errno) {
        try await wait(fd, for: EPOLLIN.rawValue)
    }

    /// Suspends until `fd` is writable (or its reader is gone).
    package func waitUntilWritable(_ fd: Int32) async throws(Errno) {
        try await wait(fd, for: EPOLLOUT.rawValue)
    }

    private func wait(_ fd: Int32, for events: UInt32) async throws(Errno) {
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        var failure: Errno?
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiters.withLock { $0[token] = .task(continuation) }
            do throws(Errno) {
                try register(fd, events: events, token: token)
            } catch {
                failure = error
                resume(waiters.withLock { $0.removeValue(forKey: token) })
            }
        }
        if let failure { throw failure }
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
    }

    /// Watches `fd` from now on, so that the instant it becomes readable is
    /// recorded by the loop's thread whenever tasks get to await it (a
    /// sandbox's end, while the cooperative pool may be busy). One watch per
    /// descriptor, and no other wait on it until the watch has fired.
    package func watchReadable(_ fd: Int32) throws(Errno) -> Readiness {
        let readiness = Readiness()
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        waiters.withLock { $0[token] = .action { [epoll] in
            epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
            readiness.fire(at: .now)
        } }
        do {
            try register(fd, events: EPOLLIN.rawValue, token: token)
        } catch {
            waiters.withLock { _ = $0.removeValue(forKey: token) }
            throw error
        }
        return readiness
    }

    /// The readiness of a watched descriptor (``watchReadable(_:)``).
    package final class Readiness: Sendable {
        private let state = Mutex<(ready: ContinuousClock.Instant?, waiting: [CheckedContinuation<ContinuousClock.Instant, Never>])>((nil, []))

        fileprivate init() {}

        /// The instant the loop saw the descriptor readable, once it has.
        package func wait() async -> ContinuousClock.Instant {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> ContinuousClock.Instant? in
                    if state.ready == nil { state.waiting.append(continuation) }
                    return state.ready
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }

        fileprivate func fire(at instant: ContinuousClock.Instant) {
            let waiting = state.withLock { state in
                state.ready = instant
                defer { state.waiting = [] }
                return state.waiting
            }
            for continuation in waiting { continuation.resume(returning: instant) }
        }
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

    private func resume(_ waiter: Waiter?) {
        switch waiter {
        case .task(let continuation): continuation.resume()
        case .action(let action): action()
        case nil: break
        }
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            guard count > 0 else { continue }
            for event in events[0..<Int(count)] {
                resume(waiters.withLock { $0.removeValue(forKey: event.data.u64) })
            }
        }
    }
}
