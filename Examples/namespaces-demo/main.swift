// namespaces-demo: runs a command in fresh namespaces and prints the child's
// view beside the host's: pid, uid map, hostname, interfaces, namespace ids.
import ArgumentParser
import Containment

@main
struct NamespacesDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command in fresh namespaces and compare its view with the host's.")

    @Option(help: "Hostname inside the sandbox.")
    var hostname = "sandbox"

    @Flag(help: "Share the host's network instead of a fresh one with only loopback.")
    var hostNetwork = false

    @Flag(help: "Run the command as pid 1 instead of under the minimal init.")
    var payloadAsInit = false

    @Argument(parsing: .captureForPassthrough, help: "Command to run (default: a shell showing the view).")
    var command: [String] = []

    /// A shell script that prints what a process sees of its namespaces.
    static let viewScript = """
        echo "pid:        $$ (parent $PPID)"
        echo "uid map:    $(tr -s ' ' < /proc/self/uid_map | sed 's/^ //')"
        echo "hostname:   $(hostname)"
        echo "interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
        for ns in user pid mnt uts ipc net cgroup; do
          echo "ns $ns:$(printf '%*s' $((7 - ${#ns})) '')$(readlink /proc/self/ns/$ns)"
        done
        """

    mutating func run() async throws {
        var sandbox = Sandbox()
        sandbox.hostname = hostname
        if hostNetwork { sandbox.namespaces.remove(.network) }
        if payloadAsInit { sandbox.initProcess = .payload }

        var host = Sandbox()
        host.namespaces = []
        let arguments = command.isEmpty ? ["/bin/sh", "-c", Self.viewScript] : command
        let hostView = try await host.run("/bin/sh", ["-c", Self.viewScript], output: .string())
        let result = try await sandbox.run(arguments[0], Array(arguments.dropFirst()), output: .string(), error: .inherit)

        print("── host " + String(repeating: "─", count: 40))
        print(hostView.standardOutput, terminator: "")
        print("── sandbox " + String(repeating: "─", count: 37))
        print(result.standardOutput, terminator: "")
        let tenths = Int((result.usage.wallTime / .microseconds(100)).rounded())
        print("── \(result.termination), verdict \(result.verdict), \(tenths / 10).\(tenths % 10) ms wall")
        print("plan:\n" + (try sandbox.plan(arguments[0], Array(arguments.dropFirst()))).description
            .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        if !result.termination.isSuccess { throw ExitCode(1) }
    }
}
