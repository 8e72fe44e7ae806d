import CContainment
import Glibc
import SystemPackage

/// The prefix of the names of the SDK's own threads.
package let threadNamePrefix = "sandbox-"

/// Starts a detached thread named ``threadNamePrefix`` + `name` (15 bytes
/// at most in all) that runs `body`. The spawn threads and the event loop
/// run for as long as the process lives: PR_SET_PDEATHSIG fires when the
/// *thread* that cloned a child exits, not the process. Short jobs that must
/// not wait for a thread of the cooperative pool (a sandbox's kill at its
/// wall-time limit) end with their body.
package func startDetachedThread(named name: String, _ body: @escaping @Sendable () -> Void) throws(Errno) {
    let name = threadNamePrefix + name
    precondition(name.utf8.count <= 15, "a thread name holds 15 bytes")
    final class Box: Sendable {
        let name: String
        let body: @Sendable () -> Void
        init(_ name: String, _ body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
    let box = Unmanaged.passRetained(Box(name, body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, { context in
        let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
        _ = cn_name_thread(box.name)
        box.body()
        return nil
    }, box)
    if result != 0 {
        Unmanaged<Box>.fromOpaque(box).release()
        throw Errno(rawValue: result)
    }
    pthread_detach(thread)
}
