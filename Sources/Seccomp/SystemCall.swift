import CSeccomp
import Glibc

/// A system call of the native architecture, by name ("openat") or number.
///
/// Names are resolved with libseccomp (seccomp_syscall_resolve_name(3)), so
/// a rule written by name means the same call on every architecture.
public struct SystemCall: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    fileprivate enum Kind: Hashable { case name(String), number(Int32) }
    fileprivate let kind: Kind

    /// The call named `name`.
    public init(_ name: String) { kind = .name(name) }
    /// The call with number `number` on the native architecture.
    public init(number: Int32) { kind = .number(number) }
    /// The call named by the literal: `filter.add("openat", .allow)`.
    public init(stringLiteral name: String) { self.init(name) }

    /// The name, as written or as libseccomp knows the number; nil for a
    /// number libseccomp has no name for.
    public var name: String? {
        switch kind {
        case .name(let name): name
        case .number(let number): Self.name(of: number)
        }
    }

    /// The native number, or nil for a name the native architecture lacks.
    public var number: Int32? {
        switch kind {
        case .number(let number): return number
        case .name(let name):
            let number = seccomp_syscall_resolve_name(name)
            return number == __NR_SCMP_ERROR ? nil : number
        }
    }

    /// The name of system call `number` of `architecture` (an `AUDIT_ARCH_*`
    /// value; 0 is the native one), from seccomp_syscall_resolve_num_arch(3).
    public static func name(of number: Int32, architecture: UInt32 = 0) -> String? {
        guard let pointer = seccomp_syscall_resolve_num_arch(architecture, number) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    public var description: String {
        switch kind {
        case .name(let name): name
        case .number(let number): Self.name(of: number) ?? "syscall \(number)"
        }
    }
}
