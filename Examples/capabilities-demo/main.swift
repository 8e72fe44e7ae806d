// capabilities-demo: what capabilities, no_new_privs and Landlock change for
// a sandboxed payload. Run as root (it maps a range of uids and makes a
// set-user-ID copies of id and grep).
//
//   capabilities-demo port80     a non-root payload binds port 80 without and
//                                with CAP_NET_BIND_SERVICE in its ambient set
//   capabilities-demo setuid     a set-user-ID root binary gains nothing: not
//                                even uid 0 under no_new_privs, and no
//                                capability outside the bounding set without
//   capabilities-demo landlock   Landlock denies a write outside the allowed folder
import ArgumentParser
import Containment
import Glibc

@main
struct CapabilitiesDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capabilities-demo",
        abstract: "Capabilities, no_new_privs and Landlock in a sandbox.",
        subcommands: [Port80.self, SetUID.self, LandlockDemo.self])

    /// busybox-static (Debian package busybox-static).
    static let busybox = "/usr/bin/busybox"

    /// A sandbox whose uids 0-65535 are host uids 100000-165535, running as
    /// uid 1000.
    static var nonRoot: Sandbox {
        var sandbox = Sandbox()
        let range = [IDMapRange(inside: 0, outside: 100_000, count: 65536)]
        sandbox.user = UserNamespaceMapping(uids: range, gids: range)
        sandbox.identity = Identity(uid: 1000, gid: 1000)
        return sandbox
    }

    /// Prints a result's output, its end and its verdict.
    static func report(_ title: String, _ result: SandboxResult) {
        print("== \(title)")
        let output = (result.standardOutput + result.standardError).split(separator: "\n").map { "   " + $0 }
        if !output.isEmpty { print(output.joined(separator: "\n")) }
        print("   -> \(result.termination), verdict \(result.verdict)")
    }
}

struct Port80: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "port80", abstract: "Bind port 80 as uid 1000.")

    func run() async throws {
        for capabilities in [CapabilityConfiguration.none, .ambient([.netBindService])] {
            var sandbox = CapabilitiesDemo.nonRoot
            sandbox.capabilities = capabilities
            // nc listens until the time limit when the bind worked.
            sandbox.wallTimeLimit = .milliseconds(500)
            let result = try await sandbox.run(CapabilitiesDemo.busybox, ["nc", "-l", "-p", "80"], output: .string(), error: .string())
            let bound = result.verdict == .wallTimeLimit
            CapabilitiesDemo.report("uid 1000, capabilities: \(capabilities.ambient) -> port 80 \(bound ? "bound" : "refused")", result)
        }
    }
}

struct SetUID: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "setuid", abstract: "Run set-user-ID root id and grep as uid 65534.")

    /// Copies `source` to `target`, owned by root with the set-user-ID bit.
    static func setuidCopy(_ source: String, _ target: String) throws {
        let original = try FileDescriptor.open(source, .readOnly)
        let copy = try FileDescriptor.open(target, .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWriteExecute])
        try original.closeAfter {
            try copy.closeAfter {
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try original.read(into: $0) }
                    if count == 0 { break }
                    _ = try buffer[0..<count].withUnsafeBytes { try copy.writeAll($0) }
                }
            }
        }
        chown(target, 0, 0)
        chmod(target, 0o4755)
    }

    func run() async throws {
        var template = Array("/tmp/capabilities-demo-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Errno(rawValue: errno) }
        let folder = String(cString: made)
        let id = folder + "/id", grep = folder + "/grep"
        defer { unlink(id); unlink(grep); rmdir(folder) }
        chmod(folder, 0o755)
        try Self.setuidCopy("/usr/bin/id", id)
        try Self.setuidCopy("/usr/bin/grep", grep)

        for noNewPrivileges in [true, false] {
            // No user namespace: uid 65534 of the host, root-owned setuid files.
            var sandbox = Sandbox()
            sandbox.namespaces = [.mount, .pid, .uts, .ipc]
            sandbox.identity = Identity(uid: 65534, gid: 65534)
            sandbox.noNewPrivileges = noNewPrivileges
            let result = try await sandbox.run(CapabilitiesDemo.busybox, ["sh", "-c", "\(id); \(grep) ^Cap[PE] /proc/self/status"],
                                               output: .string(), error: .string())
            CapabilitiesDemo.report("setuid-root id and grep, no_new_privs \(noNewPrivileges ? "on" : "off"), bounding set empty", result)
        }
    }
}

struct LandlockDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "landlock", abstract: "Write inside and outside an allowed folder.")

    func run() async throws {
        var template = Array("/tmp/capabilities-demo-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Errno(rawValue: errno) }
        let allowed = String(cString: made)
        defer { unlink(allowed + "/note"); rmdir(allowed) }

        var rules = LandlockRuleset(compatibility: .bestEffort)
        rules.allow(.execute, ["/usr"])
        rules.allow(.write, [FilePath(allowed)])
        var sandbox = Sandbox()
        sandbox.landlock = rules
        let plan = try sandbox.plan(CapabilitiesDemo.busybox)
        print("Landlock: \(plan.landlock.map(String.init(describing:)) ?? "none")")
        let script = "echo hello > \(allowed)/note && echo wrote \(allowed)/note; echo hello > /tmp/capabilities-demo-outside"
        let result = try await sandbox.run(CapabilitiesDemo.busybox, ["sh", "-c", script], output: .string(), error: .string())
        CapabilitiesDemo.report("write inside \(allowed), then outside it", result)
    }
}
