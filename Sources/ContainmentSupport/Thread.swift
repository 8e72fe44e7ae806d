import Glibc
import SystemPackage

/// Starts a detached thread that runs `body`. The spawn threads and the
/// event loop run for as long as the process lives: PR_SET_PDEATHSIG fires
/// when the *thread* that cloned a child exits, not the process. Short jobs
/// that must not wait for a thread of the cooperative pool (a sandbox's
/// kill at its wall-time limit) end with their body.
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
