import CContainment
import ContainmentSupport
import Glibc

/// A plan rendered into the flat memory the spawn core walks: an array of
/// `cn_step` followed by every string, byte buffer and pointer array the steps
/// point at. Rendered once per prepared command and shared, read-only, by all
/// its spawns; freed when the last spawn using it has exec'd.
final class RenderedPlan: @unchecked Sendable {
    let steps: UnsafePointer<cn_step>
    let count: Int
    /// Slot index of each named slot the steps use.
    let slotIndex: [StepSlot: Int]
    private let memory: UnsafeMutableRawPointer

    init(_ plan: [SetupStep]) throws(SandboxError) {
        var slots: [StepSlot: Int] = [.sync: Int(CN_SLOT_SYNC), .error: Int(CN_SLOT_ERROR)]
        func index(of slot: StepSlot) throws(SandboxError) -> Int {
            if let known = slots[slot] { return known }
            let next = Int(CN_SLOT_FIRST_FREE) + slots.count - 2
            guard next < Int(CN_SLOT_COUNT) else {
                throw SandboxError.invalid("plan", "more than \(CN_SLOT_COUNT - CN_SLOT_FIRST_FREE) slots; simplify the configuration")
            }
            slots[slot] = next
            return next
        }

        var data = Arena()
        var raw: [cn_step] = []
        var pointerArgs: [(step: Int, arg: Int, offset: Int)] = []
        for (stepIndex, step) in plan.enumerated() {
            var c = cn_step()
            var args: [StepArgument] = []
            switch step.operation {
            case .syscall(let number, let arguments):
                c.op = UInt32(CN_OP_SYSCALL.rawValue)
                c.nr = number
                args = arguments
            case .waitForParent:
                c.op = UInt32(CN_OP_WAIT_PARENT.rawValue)
            case .exec(let candidates, let arguments, let environment):
                c.op = UInt32(CN_OP_EXEC_SEARCH.rawValue)
                args = [.strings(candidates), .strings(arguments), environment]
            case .parentDeathSignal(let signal):
                c.op = UInt32(CN_OP_PARENT_DEATH_SIGNAL.rawValue)
                args = [.integer(Int(signal))]
            case .seccomp(let program, let flags, let handoff):
                c.op = UInt32(CN_OP_SECCOMP.rawValue)
                args = [.bytes(program), .integer(program.count / 8), .integer(flags), .integer(Int(handoff))]
            case .cloneIntoPidNamespace:
                c.op = UInt32(CN_OP_CLONE_INTO_PID_NAMESPACE.rawValue)
            }
            guard args.count <= 6 else {
                throw SandboxError.invalid("plan", "step \"\(step.description)\" has \(args.count) arguments; the spawn core takes six")
            }
            var values = [Int](repeating: 0, count: 6)
            for (k, argument) in args.enumerated() {
                switch argument {
                case .integer(let value): values[k] = value
                case .slot(let slot):
                    values[k] = try index(of: slot)
                    c.slot_args |= UInt8(1 << k)
                case .string(let text): pointerArgs.append((stepIndex, k, data.append(string: text)))
                case .bytes(let bytes): pointerArgs.append((stepIndex, k, data.append(bytes: bytes)))
                case .strings(let texts): pointerArgs.append((stepIndex, k, data.append(strings: texts)))
                }
            }
            c.args = (values[0], values[1], values[2], values[3], values[4], values[5])
            if let result = step.result { c.out_slot = UInt8(try index(of: result)) }
            c.tolerated_errno = step.toleratedErrno
            raw.append(c)
        }

        let stepsSize = raw.count * MemoryLayout<cn_step>.stride
        let memory = UnsafeMutableRawPointer.allocate(byteCount: stepsSize + data.bytes.count, alignment: 16)
        let base = memory + stepsSize
        data.bytes.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        for fixup in data.pointerFixups {
            base.storeBytes(of: Int(bitPattern: base + fixup.target), toByteOffset: fixup.at, as: Int.self)
        }
        for fixup in pointerArgs {
            let pointer = Int(bitPattern: base + fixup.offset)
            withUnsafeMutableBytes(of: &raw[fixup.step].args) { args in
                args.storeBytes(of: pointer, toByteOffset: fixup.arg * MemoryLayout<Int>.stride, as: Int.self)
            }
        }
        raw.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: stepsSize) }
        self.memory = memory
        steps = UnsafePointer(memory.assumingMemoryBound(to: cn_step.self))
        count = raw.count
        slotIndex = slots
    }

    deinit { memory.deallocate() }
}

/// The data region of a rendered plan, addressed by offsets until it is
/// copied to its final place.
private struct Arena {
    var bytes: [UInt8] = []
    /// Pointer-sized words at `at` that must hold the address of `target`.
    var pointerFixups: [(at: Int, target: Int)] = []

    mutating func align() {
        while bytes.count % 8 != 0 { bytes.append(0) }
    }

    mutating func append(string: String) -> Int {
        let offset = bytes.count
        bytes += string.utf8
        bytes.append(0)
        return offset
    }

    mutating func append(bytes more: [UInt8]) -> Int {
        align()
        let offset = bytes.count
        bytes += more
        return offset
    }

    mutating func append(strings: [String]) -> Int {
        let targets = strings.map { append(string: $0) }
        align()
        let offset = bytes.count
        for target in targets {
            pointerFixups.append((bytes.count, target))
            bytes += [UInt8](repeating: 0, count: 8)
        }
        bytes += [UInt8](repeating: 0, count: 8)
        return offset
    }
}
