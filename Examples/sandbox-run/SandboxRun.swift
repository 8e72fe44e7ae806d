// sandbox-run: run a command in a sandbox, with bubblewrap-style flags over
// every layer of swift-containment. See README.md for the flags, the
// defaults and the reserved exit codes.
//
//   sandbox-run --host-readonly --memory 256M --pids 64 --seccomp default -- make test
//   sandbox-run --ro-bind /usr /usr --symlink usr/bin /bin --proc /proc --dev /dev /bin/sh
import ArgumentParser
import Containment
import Glibc

/// The command line: every option group, and what to do with them.
struct SandboxRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox-run",
        abstract: "Runs a command in a sandbox: namespaces, a private root, cgroup limits, seccomp, capabilities, Landlock.",
        discussion: """
            The payload's exit code passes through; a payload killed by signal N exits with 128+N. \
            sandbox-run's own codes: 125 (bad flags, invalid configuration, host refused, setup failed), \
            126 (the command cannot be executed), 127 (the command was not found). \
            Two-value flags (--ro-bind SRC DEST, --setenv VAR VALUE, ...) take their values as separate arguments, \
            as in bubblewrap, and mounts are placed in command-line order. \
            Without a root or mount flag the payload sees the host's filesystem; with one, the root is an empty tmpfs \
            unless --root, --root-overlay or --host-readonly says otherwise.
            """,
        version: "sandbox-run 0.1 (swift-containment)")

    @OptionGroup(title: "Namespaces and network") var namespaces: NamespaceOptions
    @OptionGroup(title: "Root filesystem and mounts") var filesystem: FilesystemOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "Seccomp, capabilities and Landlock") var security: SecurityOptions
    @OptionGroup(title: "User, environment and process") var process: ProcessOptions

    @Flag(help: "Print the result (termination, verdict, usage) as one JSON object, the last line of standard output.")
    var json = false

    @Flag(help: "Print the setup plan and exit without running anything.")
    var dryRun = false

    @Flag(help: "Print what this host supports (the preflight) and exit.")
    var check = false

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command and its arguments.", valueName: "command"))
    var command: [String] = []

    /// Whether this command line runs a payload (rather than printing a
    /// report, a plan or an exported filter).
    var runsPayload: Bool { !check && !dryRun && !security.exports }

    /// The payload's argv: the captured arguments without a leading "--".
    var payload: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    mutating func validate() throws {
        // The passthrough argument captures what the parser does not know,
        // the built-in --version included.
        switch command.first {
        case "--version": throw CleanExit.message(Self.configuration.version)
        case "--help", "-h": throw CleanExit.helpRequest(self)
        default: break
        }
        if let first = command.first, first.hasPrefix("-"), first != "--" {
            throw ValidationError("unknown option '\(first.prefix { $0 != "=" })'")
        }
        for (values, flag, names) in [(filesystem.roBind, "--ro-bind", "SRC DEST"), (filesystem.bind, "--bind", "SRC DEST"),
                                      (filesystem.symlink, "--symlink", "TARGET LINK"), (filesystem.overlay, "--overlay", "LOWERS DEST"),
                                      (process.setenv, "--setenv", "VAR VALUE")] where values.count % 2 != 0 {
            throw ValidationError("\(flag) takes two values: \(names)")
        }
        if payload.isEmpty && !check && !security.exports {
            throw ValidationError("missing the command to run (put it after the options, or after --)")
        }
    }

    /// The sandbox the flags describe, and what each configuration field
    /// came from (for error messages).
    func makeSandbox(mountOrder: [String]) throws -> (Sandbox, FieldOrigins) {
        var sandbox = Sandbox()
        var origins = FieldOrigins()
        try namespaces.apply(to: &sandbox)
        try process.apply(to: &sandbox)
        try filesystem.apply(to: &sandbox, mountOrder: mountOrder, origins: &origins)
        try limits.apply(to: &sandbox)
        try security.apply(to: &sandbox, origins: &origins)
        return (sandbox, origins)
    }
}

@main
enum SandboxRunMain {
    /// Synchronous on purpose: an `async` main ends the main thread with
    /// `pthread_exit`, whose forced unwind makes a statically linked binary
    /// sort its whole frame table first (about 30 ms here). The work runs in
    /// a task and exits the process; the main thread only waits.
    static func main() {
        let (arguments, mountOrder) = PairedOptions.normalize(Array(CommandLine.arguments.dropFirst()))
        let command: SandboxRun
        do {
            command = try SandboxRun.parse(arguments)
        } catch {
            let code = SandboxRun.exitCode(for: error)
            if code == .success {
                print(SandboxRun.fullMessage(for: error))
                exit(0)
            }
            printError(SandboxRun.fullMessage(for: error))
            exit(ExitStatus.sandboxFailed)
        }
        let signals = command.runsPayload ? SignalForwarding.block() : nil
        Task.detached { exit(await Runner(command: command, mountOrder: mountOrder, signals: signals).run()) }
        while true { pause() }
    }
}

/// Writes `text` and a newline to standard error.
func printError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    _ = line.withCString { write(2, $0, strlen($0)) }
}
