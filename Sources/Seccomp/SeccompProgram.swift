/// A compiled filter: classic BPF instructions (`struct sock_filter`, 8
/// bytes each) ready for seccomp(2) `SECCOMP_SET_MODE_FILTER`.
public struct SeccompProgram: Sendable, Hashable {
    /// Which program a filter compiles to.
    public struct Variant: Sendable, Hashable, CustomStringConvertible {
        fileprivate let supervised: Bool
        /// Exactly the filter's actions, as libseccomp would load it
        /// (seccomp_load(3)); for export.
        public static let plain = Variant(supervised: false)
        /// For a sandbox: kill-process actions become notifications the host
        /// supervisor answers by killing the sandbox, so its verdict names the
        /// system call; when a listener is needed, `sendmsg` on the hand-off
        /// descriptor (closed at exec) is allowed so the child can pass the
        /// listener to the host.
        public static let supervised = Variant(supervised: true)
        public var description: String { supervised ? "supervised" : "plain" }
    }

    /// The instructions, as bytes.
    public let bytes: [UInt8]
    /// Whether it returns `SECCOMP_RET_USER_NOTIF` anywhere, so its loader
    /// must pass `SECCOMP_FILTER_FLAG_NEW_LISTENER` and hand the listener over.
    public let needsListener: Bool

    /// Number of instructions.
    public var instructionCount: Int { bytes.count / 8 }

    /// The descriptor number at which the child holds its end of the socket
    /// that passes the notification listener to the host (closed on exec).
    /// A supervised program allows `sendmsg` on this descriptor only.
    package static let handoffDescriptor: Int32 = 1001
    /// The descriptor number at which the minimal init finds the program.
    package static let programDescriptor: Int32 = 1000
}
