import CSeccomp
import ContainmentSupport
import Glibc
import SystemPackage

/// Turns a filter into BPF with libseccomp: native architecture only, the
/// binary-tree layout (`SCMP_FLTATR_CTL_OPTIMIZE` 2), exported with
/// seccomp_export_bpf(3).
struct SeccompCompiler {
    let filter: SeccompFilter
    let variant: SeccompProgram.Variant

    /// The action as compiled for this variant.
    private func compiled(_ action: SeccompAction) -> SeccompAction {
        variant == .supervised && action == .killProcess ? .notify : action
    }

    func compile() throws(SeccompError) -> SeccompProgram {
        let defaultAction = compiled(filter.defaultAction)
        guard let context = seccomp_init(defaultAction.kernelValue) else {
            throw SeccompError(.compilationFailed, field: "defaultAction", "libseccomp refused \(defaultAction)")
        }
        defer { seccomp_release(context) }
        try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_OPTIMIZE, 2), "binary-tree layout")
        try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_NNP, 0), "leave no_new_privs to the sandbox")
        try check(seccomp_attr_set(context, SCMP_FLTATR_ACT_BADARCH, filter.foreignArchitectureAction.kernelValue),
                  "foreign architecture action")

        for (index, rule) in filter.rules.enumerated() {
            guard let number = rule.systemCall.number else { continue }  // optional and unknown here
            let action = compiled(rule.action)
            if action == defaultAction { continue }  // libseccomp rejects rules that repeat the default
            try add(context, action, number, rule.conditions, field: "rules[\(index)]")
        }
        let needsListener = filter.needsListener(variant)
        if variant == .supervised && needsListener, let sendmsg = SystemCall("sendmsg").number {
            if let index = filter.rules.firstIndex(where: { $0.systemCall.number == sendmsg && $0.conditions.isEmpty && $0.action != .allow }) {
                throw SeccompError(.conflictingRules, field: "rules[\(index)]",
                                   "an unconditional sendmsg rule would stop the child handing the notification listener to the host; give the rule conditions or allow sendmsg")
            }
            if defaultAction != .allow {  // else libseccomp rejects the redundant rule
                try add(context, .allow, sendmsg, [.equal(0, UInt64(SeccompProgram.handoffDescriptor))],
                        field: "hand-off of the notification listener")
            }
        }
        return SeccompProgram(bytes: try export(context), needsListener: needsListener)
    }

    private func add(_ context: scmp_filter_ctx, _ action: SeccompAction, _ number: Int32,
                     _ conditions: [SeccompCondition], field: String) throws(SeccompError) {
        let comparisons = conditions.map { condition in
            scmp_arg_cmp(arg: UInt32(condition.argument), op: scmp_compare(rawValue: condition.comparison.rawValue),
                         datum_a: condition.value, datum_b: condition.valueTwo)
        }
        let result = comparisons.withUnsafeBufferPointer {
            seccomp_rule_add_array(context, action.kernelValue, number, UInt32($0.count), $0.baseAddress)
        }
        if result < 0 {
            throw SeccompError(.compilationFailed, field: field,
                               "libseccomp refused \(SystemCall(number: number)) \(action): \(errnoText(-result)); check for conflicting rules")
        }
    }

    private func check(_ result: Int32, _ what: String) throws(SeccompError) {
        if result < 0 { throw SeccompError(.compilationFailed, field: "filter", "\(what): \(errnoText(-result))") }
    }

    /// The program through a pipe, read without waiting for end-of-file: a
    /// child another thread clones meanwhile inherits the write end until it
    /// execs. seccomp_export_bpf(3) writes the whole program before it
    /// returns; the pipe is grown to hold far more than the largest program
    /// the kernel loads (4096 instructions, 32 KiB), and a larger one fails
    /// the export instead of blocking.
    private func export(_ context: scmp_filter_ctx) throws(SeccompError) -> [UInt8] {
        let pipe: (read: FileDescriptor, write: FileDescriptor)
        do { pipe = try makePipe() } catch {
            throw SeccompError(.compilationFailed, field: "filter", "pipe for the export: \(errnoText(error.rawValue))")
        }
        defer {
            close(pipe.read.rawValue)
            close(pipe.write.rawValue)
        }
        _ = fcntl(pipe.write.rawValue, 1031 /* F_SETPIPE_SZ */, 1 << 17)
        for end in [pipe.read, pipe.write] { _ = fcntl(end.rawValue, F_SETFL, O_NONBLOCK) }
        try check(seccomp_export_bpf(context, pipe.write.rawValue), "seccomp_export_bpf")
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(pipe.read.rawValue, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        guard !bytes.isEmpty, bytes.count % 8 == 0 else {
            throw SeccompError(.compilationFailed, field: "filter", "exported program is incomplete (\(bytes.count) bytes)")
        }
        return bytes
    }
}

/// "EINVAL (Invalid argument)" for messages.
func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) + " (errno \(code))" }
