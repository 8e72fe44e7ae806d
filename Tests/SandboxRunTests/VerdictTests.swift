import Foundation
import TestSupport
import Testing

/// Limits end the payload with the verdict that names them, in --json.
@Suite struct VerdictTests {
    @Test func memoryLimitVerdict() async throws {
        guard TestEnvironment.hasRoot(for: "a memory cgroup of sandbox-run's own") else { return }
        let run = try await SandboxRunInvocation.run(["--json", "--memory", "32M", "/bin/sh", "-c",
                                                "a=$(head -c 104857600 /dev/zero | tr '\\000' x); echo ${#a}"])
        let object = try run.json()
        #expect(object.object("verdict")?.string("code") == "memory-limit", "\(run.standardOutput)\(run.standardError)")
        #expect(object.object("termination")?.string("signalName") == "SIGKILL")
        #expect(run.status == 137)
    }

    @Test func pidsLimitVerdict() async throws {
        guard TestEnvironment.hasRoot(for: "a pids cgroup of sandbox-run's own") else { return }
        let run = try await SandboxRunInvocation.run(["--json", "--pids", "16", "/bin/sh", "-c", "for i in $(seq 40); do sleep 2 & done; wait"])
        let object = try run.json()
        #expect(object.object("verdict")?.string("code") == "pids-limit", "\(run.standardOutput)\(run.standardError)")
    }

    @Test func wallTimeLimitVerdict() async throws {
        let run = try await SandboxRunInvocation.run(["--json", "--time-limit", "0.2", "/bin/sleep", "5"])
        let object = try run.json()
        #expect(object.object("verdict")?.string("code") == "wall-time-limit")
        #expect(run.status == 137)
        #expect((object.object("usage")?.int("wallTimeMicroseconds") ?? 0) < 3_000_000)
    }

    @Test func cpuTimeLimitVerdict() async throws {
        let run = try await SandboxRunInvocation.run(["--json", "--cpu-time-limit", "1", "/bin/sh", "-c", "while :; do :; done"])
        let object = try run.json()
        #expect(object.object("verdict")?.string("code") == "cpu-time-limit", "\(run.standardOutput)")
    }

    @Test func strictSeccompVerdictNamesTheCall() async throws {
        let run = try await SandboxRunInvocation.run(["--json", "--seccomp", "strict", "/bin/sh", "-c", "echo hi"])
        let verdict = try #require(try run.json().object("verdict"))
        #expect(verdict.string("code") == "seccomp-violation", "\(run.standardOutput)")
        #expect(verdict.string("systemCall")?.isEmpty == false)
        #expect(run.status == 137)
    }

    @Test func nonNormalVerdictIsReportedOnStandardError() async throws {
        let run = try await SandboxRunInvocation.run(["--time-limit", "0.1", "/bin/sleep", "5"])
        #expect(run.standardError.contains("sandbox-run: wall-time limit"), "\(run.standardError)")
    }
}

/// --json, --dry-run and --check print what they promise.
@Suite struct OutputModeTests {
    @Test func jsonHasTerminationVerdictAndUsage() async throws {
        let run = try await SandboxRunInvocation.run(["--json", "/bin/sh", "-c", "echo payload; exit 3"])
        #expect(run.lines.first == "payload")
        let object = try run.json()
        #expect(object.int("exitCode") == 3)
        let termination = try #require(object.object("termination"))
        #expect(termination.string("kind") == "exited")
        #expect(termination.int("code") == 3)
        #expect(object.object("verdict")?.string("code") == "normal")
        let usage = try #require(object.object("usage"))
        #expect((usage.int("wallTimeMicroseconds") ?? 0) > 0)
        for key in ["userTimeMicroseconds", "systemTimeMicroseconds", "peakMemoryBytes"] {
            #expect(usage.int(key) != nil, "\(key)")
        }
    }

    @Test func jsonOfASignalDeath() async throws {
        let run = try await SandboxRunInvocation.run(["--json", "/bin/sh", "-c", "kill -KILL $$"])
        let termination = try #require(try run.json().object("termination"))
        #expect(termination.string("kind") == "signaled")
        #expect(termination.int("signal") == 9)
        #expect(termination.string("signalName") == "SIGKILL")
    }

    @Test func dryRunPrintsThePlanWithoutRunning() async throws {
        let marker = "/tmp/sandbox-run-dry-run-\(getpid())"
        let run = try await SandboxRunInvocation.run(["--dry-run", "--hostname", "box", "--ro-bind", "/usr", "/usr", "--proc", "/proc",
                                                "/bin/sh", "-c", "touch \(marker)"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.lines.first?.hasPrefix("clone3 [user, pid, mnt, uts, ipc, net, cgroup]") == true)
        #expect(run.standardOutput.contains("sethostname box"))
        #expect(run.standardOutput.contains("bind /usr -> /usr"))
        #expect(run.standardOutput.contains("load the seccomp filter") || run.standardOutput.contains("seccomp"))
        #expect(run.lines.last?.contains("exec /bin/sh") == true)
        #expect(access(marker, F_OK) != 0, "the payload ran")
    }

    @Test func dryRunValidatesToo() async throws {
        let run = try await SandboxRunInvocation.run(["--dry-run", "--ro-bind", "/nonexistent", "/x", "/bin/true"])
        #expect(run.status == 125)
        #expect(run.standardError.contains("does not exist"))
    }

    @Test func checkPrintsEveryPreflightItem() async throws {
        let run = try await SandboxRunInvocation.run(["--check"])
        #expect(run.status == 0)
        for item in ["kernel", "clone3 and pidfd", "user namespaces", "user namespace sysctls", "wide id maps",
                     "cgroup hierarchy", "cgroup controllers", "cgroup delegation", "seccomp", "seccomp user notification",
                     "Landlock", "overlay in a user namespace", "idmapped mounts"] {
            #expect(run.lines.contains { $0.dropFirst(5).hasPrefix(item + ":") }, "\(item) missing from\n\(run.standardOutput)")
        }
        #expect(run.standardOutput.contains("ok   kernel: Linux "))
    }

    @Test func checkAsJSON() async throws {
        let run = try await SandboxRunInvocation.run(["--check", "--json"])
        let object = try run.json()
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.count >= 15)
        let landlock = try #require(items.first { $0.string("name") == "Landlock" })
        #expect(landlock["supported"] as? Bool == true)
        #expect(object["supported"] is Bool)
    }

    @Test func versionAndHelp() async throws {
        let version = try await SandboxRunInvocation.run(["--version"])
        #expect(version.status == 0)
        #expect(version.standardOutput.hasPrefix("sandbox-run "))
        let help = try await SandboxRunInvocation.run(["--help"])
        #expect(help.status == 0)
        for flag in ["--ro-bind <SRC DEST>", "--memory", "--seccomp", "--cap-add", "--landlock-read", "--json", "--dry-run", "--check", "125"] {
            #expect(help.standardOutput.contains(flag), "\(flag)")
        }
    }
}

/// sandbox-run as an unprivileged user: user namespaces work, cgroup limits
/// fail with the cause and the remedy.
@Suite struct UnprivilegedTests {
    static let nobody = ["/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--"]

    @Test func runsRootlessInAUserNamespace() async throws {
        guard TestEnvironment.hasRoot(for: "switching to nobody") else { return }
        let run = try await SandboxRunInvocation.run(["--hostname", "rootless", "/bin/sh", "-c", "hostname; id -u"], prefix: Self.nobody)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.lines == ["rootless", "0"])
    }

    @Test func cgroupLimitWithoutDelegationFailsWithRemedy() async throws {
        guard TestEnvironment.hasRoot(for: "switching to nobody") else { return }
        let run = try await SandboxRunInvocation.run(["--pids", "16", "/bin/true"], prefix: Self.nobody)
        #expect(run.status == 125)
        #expect(run.standardError.contains("delegate"), "\(run.standardError)")
    }
}
