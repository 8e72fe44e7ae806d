/// A comparison of one system call argument, as libseccomp's
/// `struct scmp_arg_cmp` holds it (seccomp_rule_add(3)).
public struct SeccompCondition: Sendable, Hashable, CustomStringConvertible {
    /// How the argument is compared (`enum scmp_compare`).
    public struct Comparison: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// `SCMP_CMP_NE`: argument != value.
        public static let notEqual = Comparison(rawValue: 1)
        /// `SCMP_CMP_LT`: argument < value.
        public static let lessThan = Comparison(rawValue: 2)
        /// `SCMP_CMP_LE`: argument <= value.
        public static let lessOrEqual = Comparison(rawValue: 3)
        /// `SCMP_CMP_EQ`: argument == value.
        public static let equal = Comparison(rawValue: 4)
        /// `SCMP_CMP_GE`: argument >= value.
        public static let greaterOrEqual = Comparison(rawValue: 5)
        /// `SCMP_CMP_GT`: argument > value.
        public static let greaterThan = Comparison(rawValue: 6)
        /// `SCMP_CMP_MASKED_EQ`: argument & mask == value.
        public static let maskedEqual = Comparison(rawValue: 7)

        static let all: [Comparison] = [.notEqual, .lessThan, .lessOrEqual, .equal, .greaterOrEqual, .greaterThan, .maskedEqual]

        /// The libseccomp name used by Docker and OCI profiles (`SCMP_CMP_EQ`).
        public var profileName: String {
            let names = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                         "SCMP_CMP_MASKED_EQ"]
            return Self.all.contains(self) ? names[Int(rawValue) - 1] : "SCMP_CMP_\(rawValue)"
        }

        /// The comparison a profile name (`SCMP_CMP_*`) stands for.
        public init?(profileName: String) {
            guard let match = Self.all.first(where: { $0.profileName == profileName }) else { return nil }
            self = match
        }

        public var description: String {
            Self.all.contains(self) ? ["!=", "<", "<=", "==", ">=", ">", "&="][Int(rawValue) - 1] : "op\(rawValue)"
        }
    }

    /// Which argument (0 to 5).
    public var argument: Int
    /// How it is compared.
    public var comparison: Comparison
    /// The value compared with; for `maskedEqual`, the mask.
    public var value: UInt64
    /// For `maskedEqual`, the value the masked argument must equal; else 0.
    public var valueTwo: UInt64

    /// A condition on argument `argument` (0-5).
    public init(argument: Int, _ comparison: Comparison, _ value: UInt64, valueTwo: UInt64 = 0) {
        self.argument = argument
        self.comparison = comparison
        self.value = value
        self.valueTwo = valueTwo
    }

    /// `argument == value`.
    public static func equal(_ argument: Int, _ value: UInt64) -> SeccompCondition { .init(argument: argument, .equal, value) }
    /// `argument != value`.
    public static func notEqual(_ argument: Int, _ value: UInt64) -> SeccompCondition { .init(argument: argument, .notEqual, value) }
    /// `argument < value`.
    public static func less(_ argument: Int, _ value: UInt64) -> SeccompCondition { .init(argument: argument, .lessThan, value) }
    /// `argument <= value`.
    public static func lessOrEqual(_ argument: Int, _ value: UInt64) -> SeccompCondition { .init(argument: argument, .lessOrEqual, value) }
    /// `argument > value`.
    public static func greater(_ argument: Int, _ value: UInt64) -> SeccompCondition { .init(argument: argument, .greaterThan, value) }
    /// `argument >= value`.
    public static func greaterOrEqual(_ argument: Int, _ value: UInt64) -> SeccompCondition { .init(argument: argument, .greaterOrEqual, value) }
    /// `argument & mask == value`.
    public static func masked(_ argument: Int, _ mask: UInt64, equals value: UInt64) -> SeccompCondition {
        .init(argument: argument, .maskedEqual, mask, valueTwo: value)
    }

    /// Whether `arguments` (the six raw register values) satisfy the condition.
    public func matches(_ arguments: [UInt64]) -> Bool {
        guard arguments.indices.contains(argument) else { return false }
        let a = arguments[argument]
        switch comparison {
        case .notEqual: return a != value
        case .lessThan: return a < value
        case .lessOrEqual: return a <= value
        case .equal: return a == value
        case .greaterOrEqual: return a >= value
        case .greaterThan: return a > value
        default: return a & value == valueTwo
        }
    }

    public var description: String {
        comparison == .maskedEqual ? "arg\(argument) & \(hex(value)) == \(hex(valueTwo))" : "arg\(argument) \(comparison) \(hex(value))"
    }

    private func hex(_ v: UInt64) -> String { v < 4096 ? String(v) : "0x" + String(v, radix: 16) }
}
