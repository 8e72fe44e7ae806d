import CContainment
import Glibc
import Synchronization

/// Compiled programs of one filter value, shared by its copies until the
/// value changes (a changed value gets a new cache, unless its old one was
/// empty and its own).
final class ProgramCache: Sendable {
    private let state = Mutex<(programs: [SeccompProgram.Variant: SeccompProgram], descriptor: Int32?)>(([:], nil))

    /// How many programs this cache compiled.
    let compilations = Atomic<Int>(0)

    /// The program for `variant`: cached, or made by `make`, which says
    /// whether it compiled (rather than loaded) it.
    func program(_ variant: SeccompProgram.Variant,
                 make: () throws(SeccompError) -> (SeccompProgram, compiled: Bool)) throws(SeccompError) -> SeccompProgram {
        try state.withLock { (state) throws(SeccompError) -> SeccompProgram in
            if let program = state.programs[variant] { return program }
            let (program, compiled) = try make()
            if compiled { compilations.add(1, ordering: .relaxed) }
            state.programs[variant] = program
            return program
        }
    }

    /// Whether the cache holds no program and no descriptor yet (so it has
    /// compiled nothing either).
    var isEmpty: Bool { state.withLock { $0.programs.isEmpty && $0.descriptor == nil } }

    /// A sealed memfd holding `program`'s bytes, made once.
    func descriptor(_ program: SeccompProgram) throws(SeccompError) -> Int32 {
        try state.withLock { (state) throws(SeccompError) -> Int32 in
            if let fd = state.descriptor { return fd }
            let fd = program.bytes.withUnsafeBytes { cn_sealed_memfd("seccomp-filter", $0.baseAddress, $0.count) }
            guard fd >= 0 else {
                throw SeccompError(.compilationFailed, field: "program", "memfd for the filter: errno \(-fd)")
            }
            state.descriptor = fd
            return fd
        }
    }

    deinit { state.withLock { $0.descriptor.map { _ = close($0) } } }
}


