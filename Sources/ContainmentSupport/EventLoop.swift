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
    private let waiters = Mutex<[UInt64: CheckedContinuation<Void, Never>]>([:])
    private let nextToken = Atomic<UInt64>(1)

    private static let sharedLoop: Result<EventLoop, Errno> = Result { () throws(Errno) in try EventLoop() }

    /// The process's loop, started on first use.
    package static func shared() throws(Errno) -> EventLoop { try sharedLoop.get() }

    private init() throws(Errno) {
        epoll = try retryingInterrupts { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        try startDetachedThread { [self] in run() }
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
            waiters.withLock { $0[token] = continuation }
            var event = epoll_event()
            event.events = events | EPOLLONESHOT.rawValue
            event.data.u64 = token
            if epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0 {
                failure = Errno(rawValue: errno)
                waiters.withLock { $0.removeValue(forKey: token) }?.resume()
            }
        }
        if let failure { throw failure }
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            guard count > 0 else { continue }
            for event in events[0..<Int(count)] {
                waiters.withLock { $0.removeValue(forKey: event.data.u64) }?.resume()
            }
        }
    }
}
