import CContainment
import ContainmentSupport
import Glibc

/// Where the payload's descriptors go: stdio at 0-2, passed descriptors from
/// 3, then the descriptors the SDK itself needs until exec (the error pipe,
/// and for the minimal init its status pipe and image). Everything at or
/// above `floor` is closed before exec.
struct DescriptorLayout: Sendable {
    let passedCount: Int
    let usesInit: Bool
    /// Descriptors placed at fixed numbers at or above `floor` once the
    /// others are in place, and spared by the final close: the seccomp
    /// program and listener hand-off (``SeccompPlan``).
    var fixed: [FixedDescriptor] = []

    /// A descriptor placed at a fixed number above the layout.
    struct FixedDescriptor {
        let source: StepArgument
        let target: Int32
        let closeOnExec: Bool
        let label: String
    }

    static let stdio = [StepSlot("stdin"), StepSlot("stdout"), StepSlot("stderr")]
    static let status = StepSlot("status")
    static func passed(_ index: Int) -> StepSlot { StepSlot("fd.\(index)") }

    var errorTarget: Int32 { Int32(3 + passedCount) }
    var statusTarget: Int32 { errorTarget + 1 }
    var initImageTarget: Int32 { errorTarget + 2 }
    var floor: Int32 { usesInit ? initImageTarget + 1 : errorTarget + 1 }

    /// Steps that place every descriptor without one overwriting another
    /// source: first each source (the fixed descriptors' too) is duplicated
    /// at or above `floor`, then each copy is dup3'd onto its target, then
    /// all above are closed except the fixed targets.
    func steps(initImage: Int32?) -> [SetupStep] {
        var moves: [(source: StepArgument, target: Int32, closeOnExec: Bool, label: String)] = []
        for (fd, slot) in Self.stdio.enumerated() { moves.append((.slot(slot), Int32(fd), false, slot.name)) }
        for index in 0..<passedCount {
            moves.append((.slot(Self.passed(index)), 3 + Int32(index), false, "passed descriptor \(index)"))
        }
        // The init inherits the error pipe and marks it close-on-exec itself.
        moves.append((.slot(.error), errorTarget, !usesInit, "error pipe"))
        if usesInit, let initImage {
            moves.append((.slot(Self.status), statusTarget, false, "init status pipe"))
            moves.append((.integer(Int(initImage)), initImageTarget, true, "init image"))
        }
        // Fixed descriptors go through the same two phases: their sources
        // are host descriptor numbers that may lie below `floor`, where a
        // placement above could overwrite them before they are copied.
        for descriptor in fixed {
            moves.append((descriptor.source, descriptor.target, descriptor.closeOnExec, descriptor.label))
        }
        var steps: [SetupStep] = []
        for move in moves {
            steps.append(.syscall(.descriptors, "duplicate \(move.label)", Int(SYS_fcntl), move.source,
                                  .integer(Int(F_DUPFD_CLOEXEC)), .integer(Int(floor)),
                                  result: StepSlot("moving:\(move.target)")))
        }
        for move in moves {
            steps.append(.syscall(.descriptors, "place \(move.label) at \(move.target)", Int(SYS_dup3),
                                  .slot(StepSlot("moving:\(move.target)")), .integer(Int(move.target)),
                                  .integer(move.closeOnExec ? Int(O_CLOEXEC) : 0),
                                  result: move.target == errorTarget ? .error : nil))
        }
        var first = floor
        for kept in fixed.map(\.target).sorted() where kept >= first {
            if kept > first { steps.append(closeRange(first, UInt32(kept - 1))) }
            first = kept + 1
        }
        steps.append(closeRange(first, UInt32.max))
        return steps
    }

    /// Host descriptors the steps name by number rather than by slot (the
    /// init image, the seccomp program), as `cn_spawn_request.keep`: the
    /// child keeps them open until they are placed.
    func keptDescriptors(initImage: Int32?) -> (Int32, Int32, Int32, Int32) {
        let numbered = fixed.compactMap { descriptor -> Int32? in
            if case .integer(let fd) = descriptor.source { Int32(fd) } else { nil }
        } + (initImage.map { [$0] } ?? [])
        precondition(numbered.count <= 4, "cn_spawn_request.keep holds four descriptors")
        let kept = numbered + [-1, -1, -1, -1]
        return (kept[0], kept[1], kept[2], kept[3])
    }

    private func closeRange(_ first: Int32, _ last: UInt32) -> SetupStep {
        .syscall(.descriptors, "close descriptors from \(first)" + (last == UInt32.max ? "" : " to \(last)"),
                 Int(SYS_close_range), .integer(Int(first)), .integer(Int(last)), .integer(0))
    }
}
