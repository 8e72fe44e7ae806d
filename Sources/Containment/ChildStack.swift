import Glibc
import Synchronization
import SystemPackage

/// Stacks for spawn children, which run in the parent's address space until
/// exec. Each is 256 KiB with a guard page below; freed stacks are kept for
/// the next spawn.
final class ChildStack: Sendable {
    static let size = 256 * 1024
    private static let guardSize = 4096
    private static let pool = Mutex<[UnsafeMutableRawPointer]>([])

    /// Lowest usable address; the stack grows down from `base + size`.
    nonisolated(unsafe) let base: UnsafeMutableRawPointer
    nonisolated(unsafe) private let mapping: UnsafeMutableRawPointer

    private init(mapping: UnsafeMutableRawPointer) {
        self.mapping = mapping
        self.base = mapping + Self.guardSize
    }

    /// A stack from the pool, or a new mapping.
    static func take() throws(SandboxError) -> ChildStack {
        if let mapping = pool.withLock({ $0.popLast() }) { return ChildStack(mapping: mapping) }
        let total = size + guardSize
        guard let mapping = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0),
              mapping != MAP_FAILED else {
            throw .spawnFailed("mmap a child stack", errno: Errno(rawValue: errno))
        }
        mprotect(mapping, guardSize, PROT_NONE)
        return ChildStack(mapping: mapping)
    }

    /// Returns the stack to the pool; call only once the child has exec'd or exited.
    func recycle() {
        Self.pool.withLock { stacks in
            if stacks.count < 64 { stacks.append(mapping) } else { munmap(mapping, Self.size + Self.guardSize) }
        }
    }
}
