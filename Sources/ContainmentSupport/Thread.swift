import Glibc
import SystemPackage

/// Starts a detached thread that runs `body` and never exits while the
/// process lives: the spawn threads and the event loop. Threads that outlive
/// every task matter here because PR_SET_PDEATHSIG fires when the *thread*
/// that cloned a child exits, not the process.
package func startDetachedThread(_ body: @escaping @Sendable () -> Void) throws(Errno) {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, { context in
        let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    if result != 0 {
        Unmanaged<Box>.fromOpaque(box).release()
        throw Errno(rawValue: result)
    }
    pthread_detach(thread)
}
