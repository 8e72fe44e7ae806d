import ContainmentSupport
import Glibc
import Synchronization

/// The long-lived threads that call clone3. PR_SET_PDEATHSIG fires when the
/// thread that cloned a child exits; threads of Swift's pools may come and go,
/// these never exit, so the parent-death signal means what it says: the host
/// process died.
final class SpawnThreads: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())
    nonisolated(unsafe) private let semaphore: UnsafeMutablePointer<sem_t>

    private static let shared: Result<SpawnThreads, SandboxError> = Result { () throws(SandboxError) in
        try SpawnThreads(count: 2)
    }

    private init(count: Int) throws(SandboxError) {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
        for _ in 0..<count {
            do {
                try startDetachedThread(named: "spawn") { [self] in work() }
            } catch {
                throw SandboxError.spawnFailed("start a spawn thread", errno: error)
            }
        }
    }

    /// Runs `body` on a spawn thread and returns its result; `meanwhile`
    /// runs on the calling thread at the same time.
    static func run<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: @escaping @Sendable () -> T,
        meanwhile: () -> Void
    ) async throws(SandboxError) -> T {
        let threads = try shared.get()
        return await withCheckedContinuation { continuation in
            threads.state.withLock { $0.jobs.append { continuation.resume(returning: body()) } }
            sem_post(threads.semaphore)
            meanwhile()
        }
    }

    private func work() {
        while true {
            while sem_wait(semaphore) != 0 {}
            let job = state.withLock { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }
            job?()
        }
    }
}
