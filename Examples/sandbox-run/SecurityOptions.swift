import ArgumentParser
import Containment
import Glibc

/// --seccomp, --cap-add, --cap-drop, --allow-new-privileges and the
/// Landlock rules.
struct SecurityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seccomp filter: default (an allowlist for ordinary programs; other calls fail with EPERM), strict (compute only; other calls kill), none, or a Docker/OCI seccomp profile (JSON file).", valueName: "PROFILE"))
    var seccomp = "default"

    @Option(name: .customLong("cap-add"), help: ArgumentHelp("Add capabilities (comma-separated names like NET_ADMIN, or ALL) to the defaults (Docker's 14 for a root payload, none otherwise), after --cap-drop.", valueName: "CAPS"))
    var capAdd: [String] = []

    @Option(name: .customLong("cap-drop"), help: ArgumentHelp("Drop capabilities (comma-separated names, or ALL).", valueName: "CAPS"))
    var capDrop: [String] = []

    @Flag(help: "Do not set no_new_privs: set-user-ID programs and file capabilities keep working.")
    var allowNewPrivileges = false

    @Option(help: ArgumentHelp("Landlock: allow reading files and listing directories beneath PATH (repeatable). Any Landlock flag denies the rest of the filesystem.", valueName: "PATH"))
    var landlockRead: [String] = []

    @Option(help: ArgumentHelp("Landlock: allow reading, writing, creating and removing beneath PATH (repeatable).", valueName: "PATH"))
    var landlockWrite: [String] = []

    @Option(help: ArgumentHelp("Landlock: allow executing and reading beneath PATH (repeatable).", valueName: "PATH"))
    var landlockExec: [String] = []

    @Option(help: ArgumentHelp("Landlock: allow binding TCP PORT; binding any other port is denied (repeatable; ABI 4).", valueName: "PORT"))
    var landlockBindPort: [UInt16] = []

    @Option(help: ArgumentHelp("Landlock: allow connecting to TCP PORT; other ports are denied (repeatable; ABI 4).", valueName: "PORT"))
    var landlockConnectPort: [UInt16] = []

    @Flag(help: "Landlock: enforce what this kernel can instead of failing when it cannot enforce everything.")
    var landlockBestEffort = false

    @Option(help: ArgumentHelp("Write the --seccomp filter compiled to raw BPF (struct sock_filter[], as bwrap --seccomp reads it) to FILE and exit.", valueName: "FILE"))
    var exportSeccompBpf: String?

    @Option(help: ArgumentHelp("Write the --seccomp filter as an OCI runtime-spec linux.seccomp object (JSON, for crun or runc) to FILE and exit.", valueName: "FILE"))
    var exportSeccompOci: String?

    /// Whether the command line asks for an export instead of a run.
    var exports: Bool { exportSeccompBpf != nil || exportSeccompOci != nil }

    /// Writes the requested exports of `filter`.
    func export(_ filter: SeccompFilter?) throws {
        guard let filter else { throw CommandLineError("--export-seccomp-*: --seccomp none has no filter to export") }
        if let path = exportSeccompBpf { try Self.writeFile(path, filter.program(.plain).bytes, flag: "--export-seccomp-bpf") }
        if let path = exportSeccompOci { try Self.writeFile(path, Array(filter.ociSeccompJSON().utf8), flag: "--export-seccomp-oci") }
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8], flag: String) throws {
        do {
            let fd = try FileDescriptor.open(FilePath(path), .writeOnly, options: [.create, .truncate, .closeOnExec],
                                             permissions: [.ownerReadWrite, .groupRead, .otherRead])
            defer { try? fd.close() }
            _ = try fd.writeAll(bytes)
        } catch let error as Errno {
            throw CommandLineError("\(flag): cannot write \(path): \(error)")
        }
    }

    /// Sets the seccomp filter, capabilities, no_new_privs and Landlock.
    func apply(to sandbox: inout Sandbox, origins: inout FieldOrigins) throws {
        switch seccomp {
        case "default": sandbox.seccomp = .defaultProfile()
        case "strict": sandbox.seccomp = .strict
        case "none": sandbox.seccomp = nil
        default:
            let text = try Self.readFile(seccomp, flag: "--seccomp")
            do {
                sandbox.seccomp = try SeccompFilter(dockerProfile: text)
            } catch {
                throw CommandLineError("--seccomp \(seccomp): \(error)")
            }
        }
        // Compile each profile once per user, not once per run.
        sandbox.seccomp?.programStore = .user
        sandbox.noNewPrivileges = !allowNewPrivileges
        if !capAdd.isEmpty || !capDrop.isEmpty {
            let added = try Self.capabilities(capAdd, flag: "--cap-add")
            let dropped = try Self.capabilities(capDrop, flag: "--cap-drop")
            // As docker run: drops first, so "--cap-drop ALL --cap-add X" keeps X.
            let kept = sandbox.resolvedCapabilities.effective.subtracting(dropped).union(added)
            sandbox.capabilities = sandbox.payloadIsRoot ? .root(kept) : .ambient(kept)
        }
        let rules = [(landlockRead, LandlockAccess.read, "--landlock-read"), (landlockWrite, .write, "--landlock-write"),
                     (landlockExec, .execute, "--landlock-exec")]
        if rules.contains(where: { !$0.0.isEmpty }) || !landlockBindPort.isEmpty || !landlockConnectPort.isEmpty {
            var ruleset = LandlockRuleset(compatibility: landlockBestEffort ? .bestEffort : .strict)
            for (paths, access, flag) in rules {
                for path in paths {
                    origins.record("landlock.pathRules[\(ruleset.pathRules.count)]", "\(flag) \(path)")
                    ruleset.allow(access, [FilePath(path)])
                }
            }
            ruleset.restrictsFilesystem = !ruleset.pathRules.isEmpty
            if !landlockBindPort.isEmpty { ruleset.tcpBindPorts = landlockBindPort }
            if !landlockConnectPort.isEmpty { ruleset.tcpConnectPorts = landlockConnectPort }
            sandbox.landlock = ruleset
        }
    }

    /// The union of comma-separated capability lists; "ALL" is every
    /// capability this kernel knows.
    private static func capabilities(_ lists: [String], flag: String) throws -> CapabilitySet {
        var set = CapabilitySet()
        for list in lists {
            for name in list.split(separator: ",") {
                let name = name.trimmingSpaces
                if name.uppercased() == "ALL" {
                    set.formUnion(.all())
                } else {
                    set.insert(try Capability(name: name, field: flag))
                }
            }
        }
        return set
    }

    /// The whole file at `path` as text.
    static func readFile(_ path: String, flag: String) throws -> String {
        do {
            let fd = try FileDescriptor.open(FilePath(path), .readOnly, options: .closeOnExec)
            defer { try? fd.close() }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
                if count == 0 { break }
                bytes += chunk[..<count]
            }
            return String(decoding: bytes, as: UTF8.self)
        } catch let error as Errno {
            throw CommandLineError("\(flag): cannot read \(path): \(error)")
        }
    }
}
