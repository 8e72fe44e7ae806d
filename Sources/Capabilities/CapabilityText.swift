import CCap

/// libcap's text form of capability sets (cap_to_text(3)).
enum CapabilityText {
    /// cap_to_text of a cap_t holding the three sets, "=" for none.
    static func render(permitted: CapabilitySet, effective: CapabilitySet, inheritable: CapabilitySet) -> String {
        guard let state = cap_init() else { return "=" }
        defer { cap_free(UnsafeMutableRawPointer(state)) }
        for (set, flag) in [(effective, CAP_EFFECTIVE), (permitted, CAP_PERMITTED), (inheritable, CAP_INHERITABLE)] {
            var values = set.map { cap_value_t($0.rawValue) }
            cap_set_flag(state, flag, Int32(values.count), &values, CAP_SET)
        }
        guard let text = cap_to_text(state, nil) else { return "=" }
        defer { cap_free(text) }
        return String(cString: text)
    }
}
