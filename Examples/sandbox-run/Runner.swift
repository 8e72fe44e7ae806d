import Containment
import Glibc

/// Runs what the parsed command line asks for and returns the exit code.
struct Runner {
    let command: SandboxRun
    let mountOrder: [String]
    /// A signalfd of the signals to pass on to the payload, when it runs one.
    let signals: Int32?

    func run() async -> Int32 {
        if command.check {
            let report = await Host.check()
            print(command.json ? JSONOutput.report(report) : report.description)
            return 0
        }
        var origins = FieldOrigins()
        do {
            let sandbox: Sandbox
            (sandbox, origins) = try command.makeSandbox(mountOrder: mountOrder)
            if command.security.exports {
                try command.security.export(sandbox.seccomp)
                return 0
            }
            let argv = command.payload
            if command.dryRun {
                print(try sandbox.plan(argv[0], Array(argv.dropFirst())))
                return 0
            }
            let process = try await sandbox.spawn(argv[0], Array(argv.dropFirst()), input: .inherit, output: .inherit, error: .inherit)
            if let signals { SignalForwarding.forward(signals, to: process) }
            let result = try await process.wait()
            let code = ExitStatus.code(for: result.termination)
            if command.json {
                print(JSONOutput.result(result, exitCode: code))
            } else if !result.verdict.isNormal {
                printError("sandbox-run: \(result.verdict): the payload ended with \(result.termination)")
            }
            return code
        } catch {
            let code = ExitStatus.code(for: error)
            let (kind, field) = Self.classify(error)
            let flag = field.flatMap { origins.flag(for: $0) }
            let message = "\(error)" + (flag.map { " [\($0)]" } ?? "")
            if command.json {
                print(JSONOutput.error(code: kind, field: field, flag: flag, message: "\(error)", exitCode: code))
            }
            printError("sandbox-run: " + message)
            return code
        }
    }

    /// The error's stable code and the configuration field it names.
    static func classify(_ error: any Error) -> (code: String, field: String?) {
        switch error {
        case let error as SandboxError: (error.code.rawValue, error.field)
        case let error as FilesystemError: (error.code.rawValue, error.field)
        case let error as NamespaceError: (error.code.rawValue, error.field)
        case let error as CgroupError: (error.code.rawValue, error.field)
        case let error as SeccompError: (error.code.rawValue, error.field)
        case let error as CapabilityError: (error.code.rawValue, error.field)
        case is CommandLineError: ("invalid-flag", nil)
        default: ("error", nil)
        }
    }
}
