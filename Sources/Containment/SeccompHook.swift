import CContainment
import ContainmentSupport
import Glibc
import Synchronization

/// The host side of a sandbox's filter. When the program needs a listener,
/// receives it from the child over a socket pair, serves it on the shared
/// event loop (``SeccompSupervisor``) and turns a supervised kill into the
/// verdict "seccomp violation (name)". A payload the kernel ended with
/// SIGSYS gets "seccomp violation (foreign-ABI system call)" when only the
/// foreign-ABI kill (which stays a kernel kill) can send it, and
/// "seccomp violation (unidentified system call)" when kill-thread or trap
/// rules could have too.
struct SeccompHook: SpawnHook {
    let filter: SeccompFilter
    let needsListener: Bool
    func begin() throws -> any SpawnSession { SeccompSession(filter: filter, needsListener: needsListener) }
}

private final class SeccompSession: SpawnSession {
    private struct State {
        var hostEnd: Int32?
        var pidfd: Int32?
        var violation: String?
    }

    let filter: SeccompFilter
    let needsListener: Bool
    private let state = Mutex(State())

    init(filter: SeccompFilter, needsListener: Bool) {
        self.filter = filter
        self.needsListener = needsListener
    }

    func prepare(_ values: inout SpawnValues) throws {
        guard needsListener else { return }
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw SandboxError.spawnFailed("socketpair for the seccomp listener", errno: Errno(rawValue: errno))
        }
        state.withLock { $0.hostEnd = ends[0] }
        values.slots[SeccompPlan.handoffSlot] = Int(ends[1])
        values.closeAfterClone.append(ends[1])
    }

    func childCreated(pid: Int32) throws {
        guard needsListener else { return }
        let pidfd = cn_pidfd_open(pid)
        guard pidfd >= 0 else { throw SandboxError.spawnFailed("pidfd_open for the seccomp supervisor", errno: Errno(rawValue: -pidfd)) }
        guard let hostEnd = state.withLock({ state in
            state.pidfd = pidfd
            defer { state.hostEnd = nil }
            return state.hostEnd
        }) else { return }
        let supervisor = SeccompSupervisor(filter: filter) { [self] notification in violated(notification) }
        Task.detached {
            guard let listener = await Self.receiveListener(hostEnd) else { return }
            await supervisor.serve(listener: listener)
        }
    }

    /// Records the violation, then kills the sandbox's first process (with a
    /// pid namespace, the whole namespace) and the caller.
    private func violated(_ notification: SeccompNotification) {
        let pidfd = state.withLock { state in
            if state.violation == nil { state.violation = notification.systemCallName }
            return state.pidfd
        }
        let caller = cn_pidfd_open(notification.pid)
        if caller >= 0 {
            _ = cn_pidfd_send_signal(caller, SIGKILL)
            close(caller)
        }
        if let pidfd { _ = cn_pidfd_send_signal(pidfd, SIGKILL) }
    }

    func finish(_ termination: Termination, verdict: inout Verdict, usage: inout ResourceUsage) {
        if let name = state.withLock({ $0.violation }) {
            verdict = .seccompViolation(syscall: name)
        } else if termination == .signaled(.badSystemCall) {
            let sendsSIGSYS: Set<SeccompAction> = [.killProcess, .killThread, .trap]
            let native = (filter.rules.map(\.action) + [filter.defaultAction]).contains { $0 != .killProcess && sendsSIGSYS.contains($0) }
            if native || sendsSIGSYS.contains(filter.foreignArchitectureAction) {
                verdict = .seccompViolation(syscall: native ? "unidentified system call" : "foreign-ABI system call")
            }
        }
    }

    func cleanUp() {
        state.withLock { state in
            state.hostEnd.map { _ = close($0) }
            state.pidfd.map { _ = close($0) }
            state.hostEnd = nil
            state.pidfd = nil
        }
    }

    /// Waits for the child's listener on `socket` (nil when the child exec'd
    /// or died without sending one) and closes the socket.
    private static func receiveListener(_ socket: Int32) async -> Int32? {
        defer { close(socket) }
        guard (try? await EventLoop.shared().waitUntilReadable(socket)) != nil else { return nil }
        var byte: UInt8 = 0
        // struct cmsghdr (len: size_t, level: int, type: int) and one int.
        var control = [UInt8](repeating: 0, count: 24)
        let received = withUnsafeMutablePointer(to: &byte) { bytePointer in
            control.withUnsafeMutableBytes { controlBuffer in
                var vector = iovec(iov_base: UnsafeMutableRawPointer(bytePointer), iov_len: 1)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBuffer.baseAddress
                    message.msg_controllen = controlBuffer.count
                    return recvmsg(socket, &message, Int32(MSG_DONTWAIT) | Int32(MSG_CMSG_CLOEXEC))
                }
            }
        }
        guard received > 0 else { return nil }
        let (level, type) = control.withUnsafeBytes {
            ($0.load(fromByteOffset: 8, as: Int32.self), $0.load(fromByteOffset: 12, as: Int32.self))
        }
        guard level == SOL_SOCKET, type == Int32(SCM_RIGHTS) else { return nil }
        return control.withUnsafeBytes { $0.load(fromByteOffset: 16, as: Int32.self) }
    }
}
