// seccomp-demo: the Seccomp layer in four scenes.
//
//   seccomp-demo deny     mkdir denied with EPERM inside the sandbox
//   seccomp-demo kill     a payload killed for socket(), the verdict naming it
//   seccomp-demo notify   a host handler that logs connect() calls
//   seccomp-demo learn    learn mode: the minimal filter for `ls -l /`
//   seccomp-demo          all four
import ArgumentParser
import Containment
import Glibc

@main
struct SeccompDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seccomp-demo",
        abstract: "Seccomp filters in a sandbox: deny, kill verdicts, notifications, learn mode.",
        subcommands: [All.self, Deny.self, Kill.self, Notify.self, Learn.self],
        defaultSubcommand: All.self)
}

struct All: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every scene.")
    func run() async throws {
        try await Deny().run()
        try await Kill().run()
        try await Notify().run()
        try await Learn().run()
    }
}

struct Deny: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "mkdir fails with EPERM under an allow-all filter with one rule.")
    func run() async throws {
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add(["mkdir", "mkdirat"], .errno(EPERM))
        var sandbox = Sandbox()
        sandbox.seccomp = filter
        let result = try await sandbox.run("/bin/sh", ["-c", "mkdir /tmp/seccomp-demo-dir; echo mkdir exited $?"],
                                           output: .string(), error: .string())
        print("== deny\n\(result.standardError)\(result.standardOutput)verdict: \(result.verdict)\n")
    }
}

struct Kill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A kill rule for socket() ends Python; the verdict names the call.")
    func run() async throws {
        var filter = SeccompFilter.defaultProfile()
        filter.setAction(.killProcess, for: "socket")
        var sandbox = Sandbox()
        sandbox.seccomp = filter
        let result = try await sandbox.run("/usr/bin/python3", ["-S", "-c", "import socket; socket.socket()"],
                                           output: .string(), error: .string())
        print("== kill\ntermination: \(result.termination)\nverdict: \(result.verdict)\n")
    }
}

struct Notify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log every connect() in the host and refuse it.")
    func run() async throws {
        var filter = SeccompFilter.defaultProfile()
        filter.setAction(.notify, for: "connect")
        filter.notificationHandler = { call in
            print("host: pid \(call.pid) calls connect(fd \(call.arguments[0]), addrlen \(call.arguments[2])) -> ECONNREFUSED")
            return .fail(ECONNREFUSED)
        }
        var sandbox = Sandbox()
        sandbox.seccomp = filter
        let script = "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80))\nexcept OSError as e:\n    print('payload:', e)"
        let result = try await sandbox.run("/usr/bin/python3", ["-S", "-c", script], output: .string(), error: .string())
        print("== notify\n\(result.standardOutput)\(result.standardError)verdict: \(result.verdict)\n")
    }
}

struct Learn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Learn the system calls of `ls -l /` and print the filter.")
    func run() async throws {
        let learner = SeccompLearner()
        var sandbox = Sandbox()
        sandbox.seccomp = learner.filter
        _ = try await sandbox.run("/bin/ls", ["-l", "/"])
        let learned = learner.learnedFilter()
        print("== learn: \(learner.systemCalls.count) system calls")
        print(try learned.ociSeccompJSON())
        sandbox.seccomp = learned
        let again = try await sandbox.run("/bin/ls", ["-l", "/"], output: .string())
        print("re-run: \(again.termination), \(again.standardOutput.split(separator: "\n").count) lines")
        let other = try await sandbox.run("/bin/mkdir", ["/tmp/seccomp-demo-learn"])
        print("mkdir under the learned filter: \(other.termination), verdict: \(other.verdict)")
    }
}
