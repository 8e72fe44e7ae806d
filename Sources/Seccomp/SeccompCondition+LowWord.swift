extension SeccompCondition {
    /// Masked-equal conditions on the low 32 bits of `argument` that
    /// together match every value except `excluded`: one rule per condition
    /// gives "allow unless one of these", which libseccomp cannot say
    /// directly (an unconditional rule overrides conditional ones, and
    /// `notEqual` compares all 64 bits the kernel may truncate).
    public static func lowWord(of argument: Int, excluding excluded: [UInt32]) -> [SeccompCondition] {
        var conditions: [SeccompCondition] = []
        func split(_ prefix: UInt32, _ length: Int, _ values: [UInt32]) {
            let mask: UInt32 = length == 0 ? 0 : ~0 << (32 - length)
            if values.isEmpty {
                conditions.append(.masked(argument, UInt64(mask), equals: UInt64(prefix)))
                return
            }
            guard length < 32 else { return }
            let bit: UInt32 = 1 << (31 - length)
            split(prefix, length + 1, values.filter { $0 & bit == 0 })
            split(prefix | bit, length + 1, values.filter { $0 & bit != 0 })
        }
        split(0, 0, Array(Set(excluded)))
        return conditions
    }
}
