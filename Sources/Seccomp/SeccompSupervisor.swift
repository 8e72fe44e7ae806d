import CSeccomp
import ContainmentSupport
import Glibc

/// Serves one sandbox's notification listener on the shared event loop:
/// a violation of a supervised kill action is reported through
/// `onViolation` (which ends the sandbox) and answered with ENOSYS; a
/// `notify` rule goes to the filter's handler.
package struct SeccompSupervisor: Sendable {
    let filter: SeccompFilter
    let onViolation: @Sendable (SeccompNotification) -> Void

    package init(filter: SeccompFilter, onViolation: @escaping @Sendable (SeccompNotification) -> Void) {
        self.filter = filter
        self.onViolation = onViolation
    }

    /// Answers notifications from `listener` until every process using the
    /// filter is gone, then closes it.
    package func serve(listener: Int32) async {
        defer { close(listener) }
        var request: UnsafeMutablePointer<seccomp_notif>?
        var response: UnsafeMutablePointer<seccomp_notif_resp>?
        guard seccomp_notify_alloc(&request, &response) == 0, let request, let response else { return }
        defer { seccomp_notify_free(request, response) }
        let native = seccomp_arch_native()
        while true {
            guard (try? await EventLoop.shared().waitUntilReadable(listener)) != nil, hasPending(listener) else { return }
            memset(request, 0, MemoryLayout<seccomp_notif>.size)
            guard seccomp_notify_receive(listener, request) == 0 else { continue }  // the caller died meanwhile
            let data = request.pointee.data
            let notification = SeccompNotification(
                id: request.pointee.id, pid: Int32(bitPattern: request.pointee.pid), systemCallNumber: data.nr,
                architecture: data.arch, isNativeArchitecture: data.arch == native,
                instructionPointer: data.instruction_pointer,
                arguments: [data.args.0, data.args.1, data.args.2, data.args.3, data.args.4, data.args.5])
            let answer = await self.answer(notification)
            if answer.kills { onViolation(notification) }
            memset(response, 0, MemoryLayout<seccomp_notif_resp>.size)
            let fields = answer.response
            response.pointee.id = notification.id
            response.pointee.val = fields.value
            response.pointee.error = fields.error
            response.pointee.flags = fields.flags
            _ = seccomp_notify_respond(listener, response)  // ENOENT: the caller was killed
        }
    }

    private func answer(_ notification: SeccompNotification) async -> SeccompResponse {
        let action = filter.action(for: notification.systemCallNumber, arguments: notification.arguments,
                                   nativeArchitecture: notification.isNativeArchitecture)
        guard action == .notify else { return .kill }  // a supervised kill action
        guard let handler = filter.notificationHandler else { return .fail(ENOSYS) }
        return await handler(notification)
    }

    /// A readable listener may only have hung up (no process uses the filter).
    private func hasPending(_ listener: Int32) -> Bool {
        var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLIN) != 0
    }
}
