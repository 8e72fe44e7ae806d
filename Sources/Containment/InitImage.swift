import CContainment
import ContainmentSupport
import Glibc
import SystemPackage

/// The minimal init (Sources/CContainment/init), held in a sealed memfd that
/// the spawn core executes with execveat(2). Created once per process; the
/// descriptor is close-on-exec, so only the spawn child, which executes it
/// from its copy of the descriptor table, ever sees it.
enum InitImage {
    private static let memfd: Result<Int32, SandboxError> = Result { () throws(SandboxError) in
        let fd = containmentInitImage.withUnsafeBytes { cn_sealed_memfd("containment-init", $0.baseAddress, $0.count) }
        guard fd >= 0 else { throw .spawnFailed("create the sandbox init's memfd", errno: Errno(rawValue: -fd)) }
        return fd
    }

    /// The memfd holding the init.
    static func descriptor() throws(SandboxError) -> Int32 { try memfd.get() }
}

/// /dev/null, opened once, for `.none` input and `.discarded` output.
enum DevNull {
    private static let fd: Result<Int32, SandboxError> = Result { () throws(SandboxError) in
        let fd = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw .spawnFailed("open /dev/null", errno: Errno(rawValue: errno)) }
        return fd
    }

    static func descriptor() throws(SandboxError) -> Int32 { try fd.get() }
}
