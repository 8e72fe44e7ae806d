import Foundation
import TestSupport
import Testing

/// sandbox-run's exit code: the payload's own, 128+N for a signal, and the
/// reserved 125/126/127 for its own failures.
@Suite struct ExitCodeTests {
    @Test func payloadExitCodePassesThrough() async throws {
        let run = try await SandboxRunInvocation.run(["/bin/sh", "-c", "exit 7"])
        #expect(run.status == 7, "\(run.standardError)")
    }

    @Test func signalDeathIs128PlusTheSignal() async throws {
        let run = try await SandboxRunInvocation.run(["/bin/sh", "-c", "kill -TERM $$"])
        #expect(run.status == 128 + 15)
    }

    @Test func unknownFlagIsAUsageError() async throws {
        let run = try await SandboxRunInvocation.run(["--bogus", "/bin/true"])
        #expect(run.status == 125)
        #expect(run.standardError.contains("unknown option '--bogus'"), "\(run.standardError)")
    }

    @Test func missingFlagValueIsAUsageError() async throws {
        let run = try await SandboxRunInvocation.run(["--ro-bind", "/usr"])
        #expect(run.status == 125)
        #expect(run.standardError.contains("--ro-bind"), "\(run.standardError)")
    }

    @Test func invalidConfigurationExits125() async throws {
        let run = try await SandboxRunInvocation.run(["--hostname", String(repeating: "h", count: 70), "/bin/true"])
        #expect(run.status == 125)
    }

    @Test func commandNotFoundExits127() async throws {
        let run = try await SandboxRunInvocation.run(["/nonexistent/program"])
        #expect(run.status == 127)
        #expect(run.standardError.contains("exec /nonexistent/program: ENOENT"), "\(run.standardError)")
    }

    @Test func commandNotExecutableExits126() async throws {
        let path = "/tmp/sandbox-run-not-executable-\(getpid())"
        try "echo never\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        defer { unlink(path) }
        let run = try await SandboxRunInvocation.run([path])
        #expect(run.status == 126, "\(run.standardError)")
        #expect(run.standardError.contains("EACCES"))
    }

    @Test func concurrentRunsAllSucceed() async throws {
        // Many sandbox-run processes at once, each with the default seccomp
        // filter under the minimal init (its program memfd once collided
        // with the descriptor layout under load).
        let runs = try await withThrowingTaskGroup(of: SandboxRunInvocation.self) { group in
            for index in 0..<24 {
                group.addTask { try await SandboxRunInvocation.run(["/bin/echo", "run \(index)"]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(runs.allSatisfy { $0.status == 0 }, "\(runs.map(\.standardError).filter { !$0.isEmpty })")
        #expect(Set(runs.map(\.standardOutput)).count == 24)
    }

    @Test func payloadArgumentsThatLookLikeFlagsReachThePayload() async throws {
        let run = try await SandboxRunInvocation.run(["/bin/echo", "--ro-bind", "a", "b", "--json"])
        #expect(run.status == 0)
        #expect(run.standardOutput == "--ro-bind a b --json\n")
        let separated = try await SandboxRunInvocation.run(["--", "/bin/echo", "-n", "x"])
        #expect(separated.standardOutput == "x")
    }
}

/// Errors print the typed error's message, naming the field and the flag.
@Suite struct ErrorMessageTests {
    @Test func hostnameErrorNamesTheField() async throws {
        let run = try await SandboxRunInvocation.run(["--hostname", String(repeating: "h", count: 70), "/bin/true"])
        #expect(run.standardError.hasPrefix("sandbox-run: hostname: "), "\(run.standardError)")
        #expect(run.standardError.contains("at most 64"))
        #expect(run.standardError.contains("[--hostname]"))
    }

    /// Each invalid flag value exits 125 and names the flag (and, for
    /// library errors, the field) in its message.
    @Test(arguments: [
        (["--tmpfs", "/tmp", "--ro-bind", "/nonexistent", "/x"], ["filesystem.mounts[1].source", "[--ro-bind /nonexistent /x]"]),
        (["--memory", "12Q"], ["--memory: \"12Q\" is not a size"]),
        (["--cap-add", "NET_WIZARDRY"], ["--cap-add", "NET_WIZARDRY"]),
        (["--share", "nett"], ["--share: unknown namespace \"nett\""]),
        (["--net", "pooled"], ["--net pooled", "NetworkNamespacePool"]),
    ])
    func invalidValueNamesItsFlag(_ flags: [String], _ expected: [String]) async throws {
        let run = try await SandboxRunInvocation.run(flags + ["/bin/true"])
        #expect(run.status == 125)
        for text in expected { #expect(run.standardError.contains(text), "\(run.standardError)") }
    }

    @Test func errorsAreJSONWithJSONFlag() async throws {
        let run = try await SandboxRunInvocation.run(["--json", "--hostname", String(repeating: "h", count: 70), "/bin/true"])
        let object = try run.json()
        #expect(object.int("exitCode") == 125)
        let error = try #require(object.object("error"))
        #expect(error.string("code") == "invalid-hostname")
        #expect(error.string("field") == "hostname")
        #expect(error.string("flag") == "--hostname")
        #expect(error.string("message")?.contains("at most 64") == true)
    }
}

/// Option values that look like options.
@Suite struct OptionValueTests {
    @Test func negativeValuesReachTheValidation() async throws {
        let run = try await SandboxRunInvocation.run(["--time-limit", "-1", "/bin/true"])
        #expect(run.status == 125)
        #expect(run.standardError.contains("wallTimeLimit: must be positive"), "\(run.standardError)")
        #expect(run.standardError.contains("[--time-limit]"))
    }

    @Test func valuesStartingWithADashAreValues() async throws {
        let run = try await SandboxRunInvocation.run(["--setenv", "X", "-y", "--hostname", "-box", "/bin/sh", "-c", "echo $X; hostname"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.lines == ["-y", "-box"])
    }
}
