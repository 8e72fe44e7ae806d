import Containment
import Glibc
import Testing

/// Facts about the machine a test runs on, and the rule for privileged tests:
/// without the privilege a test needs it is skipped, unless
/// CONTAINMENT_REQUIRE_PRIVILEGED=1 (as CI sets), where it fails instead.
public enum TestEnvironment {
    /// True when the tests run as root.
    public static var isRoot: Bool { geteuid() == 0 }

    /// True when privileged tests must not skip.
    public static var privilegeRequired: Bool {
        getenv("CONTAINMENT_REQUIRE_PRIVILEGED").map { String(cString: $0) == "1" } ?? false
    }

    /// Whether a test that needs root can run. When it cannot and privilege
    /// is required, records a failure naming `what`.
    public static func hasRoot(for what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if isRoot { return true }
        if privilegeRequired {
            Issue.record("\(what) needs root, and CONTAINMENT_REQUIRE_PRIVILEGED=1 forbids skipping it", sourceLocation: sourceLocation)
        }
        return false
    }

    /// The folder holding the built products (the test bundle's folder).
    public static var productsDirectory: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path = count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "."
        return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }

    /// Path of a helper executable built with the tests.
    public static func helper(_ name: String) -> String { productsDirectory + "/" + name }

    /// The probe that prints a sandboxed process's view of itself.
    public static var probe: String { helper("containment-probe") }

    /// Runs containment-test-helper with `arguments` as nobody (uid and gid
    /// 65534) in the host's namespaces, as an unprivileged user of the SDK
    /// would, and parses what it printed.
    public static func runHelperAsNobody(_ arguments: [String]) async throws -> (SandboxResult, ProbeOutput) {
        var host = Sandbox()
        host.namespaces = []
        host.identity = Identity(uid: 65534, gid: 65534)
        let result = try await host.run(helper("containment-test-helper"), arguments, output: .string(), error: .string())
        return (result, ProbeOutput(result.standardOutput))
    }
}

/// The "key value" lines a probe printed.
public struct ProbeOutput: Sendable, CustomStringConvertible {
    /// Each line as key and the rest.
    public let lines: [(key: String, value: String)]

    /// Parses probe output.
    public init(_ text: String) {
        lines = text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// The first value of `key`.
    public subscript(key: String) -> String? { lines.first { $0.key == key }?.value }

    /// Every value of `key`, in order.
    public func all(_ key: String) -> [String] { lines.filter { $0.key == key }.map(\.value) }

    public var description: String { lines.map { "\($0.key) \($0.value)" }.joined(separator: "\n") }
}

extension Sandbox {
    /// Runs the probe with `commands` and parses what it printed.
    public func probe(_ commands: [String]) async throws -> (SandboxResult, ProbeOutput) {
        let result = try await run(TestEnvironment.probe, commands, output: .string(), error: .string())
        return (result, ProbeOutput(result.standardOutput))
    }
}
