import CContainment
import ContainmentSupport
import Glibc

/// How a sandbox's seccomp filter reaches its payload, computed at plan time
/// (the filter is compiled here, once per filter value).
///
/// With the minimal init the filter is loaded by the init's payload child
/// from a sealed memfd at ``SeccompProgram/programDescriptor`` (so the init
/// itself is not filtered); without it, the spawn core loads it as the step
/// right before exec (`CN_OP_SECCOMP`). When the program needs a listener,
/// the child's end of a socket pair sits at
/// ``SeccompProgram/handoffDescriptor`` and the loader sends the listener
/// over it. Both are placed with the other descriptors and spared by their
/// final close.
struct SeccompPlan {
    /// Descriptors the layout places at fixed numbers.
    var descriptors: [DescriptorLayout.FixedDescriptor] = []
    /// The load step right before exec (no init).
    var loadSteps: [SetupStep] = []
    /// The init's SECCOMP_FD SECCOMP_FLAGS NOTIFY_FD arguments.
    var initArguments = ["-1", "0", "-1"]
    /// Whether spawns need the host supervisor (a listener).
    var needsListener = false

    /// The slot of the child's end of the listener hand-off socket.
    static let handoffSlot = StepSlot("seccomp.handoff")
    /// `SECCOMP_FILTER_FLAG_NEW_LISTENER`.
    static let newListenerFlag = 1 << 3
    /// `SECCOMP_FILTER_FLAG_SPEC_ALLOW`.
    static let speculationAllowedFlag = 1 << 2

    init() {}

    init(filter: SeccompFilter, usesInit: Bool, passedCount: Int) throws {
        if passedCount + 8 >= Int(SeccompProgram.programDescriptor) {
            throw SandboxError.invalid("passedDescriptors", "\(passedCount) descriptors collide with the seccomp descriptors at \(SeccompProgram.programDescriptor); pass fewer")
        }
        let program = try filter.program(.supervised)
        needsListener = program.needsListener
        let flags = (needsListener ? Self.newListenerFlag : 0) | (filter.forcesSpeculationMitigations ? 0 : Self.speculationAllowedFlag)
        let handoff = SeccompProgram.handoffDescriptor
        if needsListener {
            descriptors.append(.init(source: .slot(Self.handoffSlot), target: handoff, closeOnExec: !usesInit,
                                     label: "seccomp listener hand-off socket"))
        }
        let description = "load the seccomp filter (\(program.instructionCount) instructions)"
        if usesInit {
            let target = SeccompProgram.programDescriptor
            descriptors.append(.init(source: .integer(Int(try filter.programDescriptor())), target: target,
                                     closeOnExec: false, label: "seccomp filter"))
            initArguments = [String(target), String(flags), needsListener ? String(handoff) : "-1"]
        } else {
            loadSteps = [SetupStep(.exec, description,
                                   .seccomp(program: program.bytes, flags: flags, handoff: needsListener ? handoff : -1))]
        }
    }
}
