import Glibc

extension SeccompFilter {
    /// Imports a Docker (moby) seccomp profile: `defaultAction`,
    /// `defaultErrnoRet`, `archMap`/`architectures`, and `syscalls[]` entries
    /// with `names`, `action`, `errnoRet`, `args` and `includes`/`excludes`
    /// (on `caps`, `arches` and `minKernel`), evaluated against `context`.
    ///
    /// Architectures are checked but only the native one is allowed (the
    /// SDK kills foreign ABIs); names unknown to this architecture are
    /// skipped, as Docker does. Several `args` on one index become separate
    /// rules (any may match), as runc does. Errors name the entry:
    /// "syscalls[3].args[0].op".
    public init(dockerProfile json: String, context: SeccompProfileContext = .init()) throws(SeccompError) {
        try self.init(profile: json, context: context, docker: true)
    }

    /// Imports the OCI runtime-spec `linux.seccomp` object (`defaultAction`,
    /// `defaultErrnoRet`, `architectures`, `syscalls[]`).
    public init(ociSeccomp json: String) throws(SeccompError) {
        try self.init(profile: json, context: .init(), docker: false)
    }

    /// The filter as an OCI runtime-spec `linux.seccomp` object (JSON), one
    /// `syscalls` entry per rule, the native architecture only. A
    /// notification handler is not part of the object.
    public func ociSeccompJSON() throws(SeccompError) -> String {
        try validate()
        var object: [(key: String, value: JSONValue)] = [("defaultAction", .string(defaultAction.profileName))]
        if let code = defaultAction.errnoCode { object.append(("defaultErrnoRet", .number(String(code)))) }
        object.append(("architectures", .array([.string(SeccompProfileContext.nativeArchitecture)])))
        var entries: [JSONValue] = []
        for (index, rule) in rules.enumerated() {
            guard let name = rule.systemCall.name else {
                throw SeccompError(.unknownSystemCall, field: "rules[\(index)]", "system call \(rule.systemCall) has no name to export")
            }
            var entry: [(key: String, value: JSONValue)] = [("names", .array([.string(name)])), ("action", .string(rule.action.profileName))]
            if let code = rule.action.errnoCode { entry.append(("errnoRet", .number(String(code)))) }
            if !rule.conditions.isEmpty {
                entry.append(("args", .array(rule.conditions.map { condition in
                    .object([("index", .number(String(condition.argument))), ("value", .number(String(condition.value))),
                             ("valueTwo", .number(String(condition.valueTwo))), ("op", .string(condition.comparison.profileName))])
                })))
            }
            entries.append(.object(entry))
        }
        object.append(("syscalls", .array(entries)))
        return JSONValue.object(object).text
    }

    private init(profile json: String, context: SeccompProfileContext, docker: Bool) throws(SeccompError) {
        let document: JSONValue
        do { document = try JSONValue.parse(json) } catch {
            throw SeccompError(.invalidProfile, field: "profile", "not JSON at byte \(error.offset): \(error.message)")
        }
        let root = ProfileNode(value: document, path: "")
        let defaultErrno = try root.optional("defaultErrnoRet")?.int32() ?? EPERM
        self.init(defaultAction: try root.required("defaultAction").action(errno: defaultErrno))
        if docker, let archMap = try root.optional("archMap")?.array() {
            for entry in archMap {
                try entry.required("architecture").architecture()
                for sub in try entry.optional("subArchitectures")?.array() ?? [] { try sub.architecture() }
            }
        }
        for architecture in try root.optional("architectures")?.array() ?? [] { try architecture.architecture() }

        for entry in try root.optional("syscalls")?.array() ?? [] {
            var names = try entry.optional("names")?.array().map { node throws(SeccompError) in try node.string() } ?? []
            if let name = try entry.optional("name")?.string() { names.append(name) }
            if names.isEmpty { throw SeccompError(.invalidProfile, field: entry.path, "has no names; list the system calls in \"names\"") }
            let errno = try entry.optional("errnoRet")?.int32() ?? defaultErrno
            let action = try entry.required("action").action(errno: errno)
            let conditions = try (entry.optional("args")?.array() ?? []).map { node throws(SeccompError) in try node.condition() }
            if docker {
                guard try Self.applies(entry.optional("includes"), context: context, including: true),
                      try Self.applies(entry.optional("excludes"), context: context, including: false) else { continue }
            }
            let indices = conditions.map(\.argument)
            let groups = Set(indices).count == indices.count ? [conditions] : conditions.map { [$0] }
            for name in names {
                for group in groups { add(SystemCall(name), action, when: group, optional: true) }
            }
        }
    }

    /// Whether a Docker `includes` (all must hold) or `excludes` (none may
    /// hold) object lets the entry apply.
    private static func applies(_ node: ProfileNode?, context: SeccompProfileContext, including: Bool) throws(SeccompError) -> Bool {
        guard let node else { return true }
        let arches = try node.optional("arches")?.array().map { node throws(SeccompError) in try node.goArchitecture() } ?? []
        let caps = try node.optional("caps")?.array().map { node throws(SeccompError) in try node.string() } ?? []
        let minKernel = try node.optional("minKernel")?.kernelVersion()
        let kernelAtLeast = minKernel.map { context.kernelVersion >= $0 }
        if including {
            return (arches.isEmpty || arches.contains(context.architecture))
                && caps.allSatisfy(context.capabilities.contains) && (kernelAtLeast ?? true)
        }
        return !arches.contains(context.architecture) && !caps.contains(where: context.capabilities.contains)
            && !(kernelAtLeast ?? false)
    }
}

/// A value of a profile document with its path, for errors that point at the entry.
private struct ProfileNode {
    let value: JSONValue
    let path: String

    func invalid(_ message: String, _ code: SeccompError.Code = .invalidProfile) -> SeccompError {
        SeccompError(code, field: path.isEmpty ? "profile" : path, message)
    }

    func optional(_ key: String) throws(SeccompError) -> ProfileNode? {
        guard case .object = value else { throw invalid("is not an object") }
        guard let member = value[key], member != .null else { return nil }
        return ProfileNode(value: member, path: path.isEmpty ? key : "\(path).\(key)")
    }

    func required(_ key: String) throws(SeccompError) -> ProfileNode {
        guard let node = try optional(key) else { throw invalid("misses \"\(key)\"") }
        return node
    }

    func array() throws(SeccompError) -> [ProfileNode] {
        guard case .array(let items) = value else { throw invalid("is not an array") }
        return items.enumerated().map { ProfileNode(value: $0.element, path: "\(path)[\($0.offset)]") }
    }

    func string() throws(SeccompError) -> String {
        guard case .string(let text) = value else { throw invalid("is not a string") }
        return text
    }

    func unsigned() throws(SeccompError) -> UInt64 {
        guard case .number(let text) = value, let number = UInt64(text) else {
            throw invalid("is not an unsigned 64-bit integer")
        }
        return number
    }

    func int32() throws(SeccompError) -> Int32 {
        guard case .number(let text) = value, let number = Int32(text) else { throw invalid("is not a 32-bit integer") }
        return number
    }

    func action(errno: Int32) throws(SeccompError) -> SeccompAction {
        let name = try string()
        guard let action = SeccompAction(profileName: name, errnoCode: errno) else {
            throw invalid("unknown or unsupported action \"\(name)\"; use SCMP_ACT_ALLOW, ERRNO, KILL, KILL_PROCESS, KILL_THREAD, TRAP, LOG or NOTIFY",
                          .invalidAction)
        }
        if !(0...4095).contains(errno) { throw invalid("errno \(errno) is out of range 0-4095", .invalidAction) }
        return action
    }

    func condition() throws(SeccompError) -> SeccompCondition {
        let index = try required("index").unsigned()
        guard index <= 5 else { throw invalid("index \(index) is not 0-5", .invalidCondition) }
        let opNode = try required("op")
        let op = try opNode.string()
        guard let comparison = SeccompCondition.Comparison(profileName: op) else {
            throw opNode.invalid("unknown comparison \"\(op)\"; use SCMP_CMP_NE, LT, LE, EQ, GE, GT or MASKED_EQ", .invalidCondition)
        }
        return SeccompCondition(argument: Int(index), comparison, try required("value").unsigned(),
                                valueTwo: try optional("valueTwo")?.unsigned() ?? 0)
    }

    func architecture() throws(SeccompError) {
        let name = try string()
        if !SeccompProfileContext.architectures.contains(name) {
            throw invalid("unknown architecture \"\(name)\"; use libseccomp names such as SCMP_ARCH_X86_64", .invalidArchitecture)
        }
    }

    func goArchitecture() throws(SeccompError) -> String {
        let name = try string()
        if !SeccompProfileContext.goArchitectures.contains(name) {
            throw invalid("unknown architecture \"\(name)\"; use Go names such as amd64, arm64, 386", .invalidArchitecture)
        }
        return name
    }

    func kernelVersion() throws(SeccompError) -> (major: Int, minor: Int) {
        let text = try string()
        guard let version = SeccompProfileContext.parseVersion(text) else { throw invalid("\"\(text)\" is not a kernel version like 5.8") }
        return version
    }
}
