import CContainment
import Glibc

/// Steps that write `contents` to an existing file with one write(2).
package func writeFileSteps(_ phase: SetupPhase, _ path: String, _ contents: [UInt8]) -> [SetupStep] {
    let slot = StepSlot("write:" + path)
    return [
        .syscall(phase, "open \(path)", Int(SYS_openat), .integer(Int(AT_FDCWD) as Int), .string(path),
                 .integer(Int(O_WRONLY | O_CLOEXEC) as Int), result: slot),
        .syscall(phase, "write \(path)", Int(SYS_write), .slot(slot), .bytes(contents), .integer(contents.count)),
        .syscall(phase, "close \(path)", Int(SYS_close), .slot(slot)),
    ]
}
