import Containment
import Glibc
import Seccomp
import TestSupport
import Synchronization
import Testing

/// Filters loaded into real sandboxes: what the payload sees.
@Suite struct SandboxFilterTests {
    /// Both loading paths: the minimal init's payload (pid namespace, the
    /// default) and the spawn core's step (no init).
    static let loaders: [InitProcess] = [.minimal, .payload]

    static func sandbox(_ filter: SeccompFilter, _ initProcess: InitProcess) -> Sandbox {
        var sandbox = Sandbox()
        sandbox.initProcess = initProcess
        sandbox.seccomp = filter
        return sandbox
    }

    @Test(arguments: loaders)
    func deniedCallReturnsConfiguredErrno(_ initProcess: InitProcess) async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("mkdir", .errno(EXDEV))
        let (result, output) = try await Self.sandbox(filter, initProcess).probe(["call", "mkdir", "call", "getppid"])
        #expect(output["mkdir"] == "EXDEV", "\(output)")
        #expect(output["getppid"]?.hasPrefix("ok") == true)
        #expect(result.termination == .exited(0))
        #expect(result.verdict == .normal)
    }

    /// A profile's rule changed with setAction: the payload sees the new
    /// action for that call and the profile's for the others.
    @Test func aProfileCallGetsItsNewAction() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var filter = SeccompFilter.defaultProfile()
        filter.setAction(.errno(EXDEV), for: "mkdir")
        let (result, output) = try await Self.sandbox(filter, .minimal).probe(["call", "mkdir", "call", "getppid", "call", "keyctl"])
        #expect(output["mkdir"] == "EXDEV", "\(output)")
        #expect(output["getppid"]?.hasPrefix("ok") == true)
        #expect(output["keyctl"] == "EPERM")
        #expect(result.termination == .exited(0))
    }

    @Test(arguments: loaders)
    func argumentConditionsAllowOnlyUnixSockets(_ initProcess: InitProcess) async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("socket", .errno(EAFNOSUPPORT), when: [.notEqual(0, UInt64(AF_UNIX))])
        let (_, output) = try await Self.sandbox(filter, initProcess)
            .probe(["call", "socket-unix", "call", "socket-inet", "call", "socket-inet6"])
        #expect(output["socket-unix"]?.hasPrefix("ok") == true, "\(output)")
        #expect(output["socket-inet"] == "EAFNOSUPPORT")
        #expect(output["socket-inet6"] == "EAFNOSUPPORT")
    }
}

/// Kills, foreign ABIs and the violation verdict.
@Suite struct ViolationTests {
    @Test(arguments: ["int80", "x32"], SandboxFilterTests.loaders)
    func foreignABICallKillsThePayload(_ call: String, _ initProcess: InitProcess) async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        let filter = SeccompFilter(defaultAction: .allow)
        let (result, output) = try await SandboxFilterTests.sandbox(filter, initProcess)
            .probe(["call", "getppid", "call", call, "call", "getppid"])
        #expect(result.termination == .signaled(.badSystemCall), "\(output)")
        #expect(output[call] == nil)
        #expect(output.all("getppid").count == 1)
        #expect(result.verdict == .seccompViolation(syscall: "foreign-ABI system call"))
    }

    @Test func trapRuleDeathIsNotBlamedOnAForeignABI() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("mkdir", .trap)
        let (result, output) = try await SandboxFilterTests.sandbox(filter, .minimal).probe(["call", "mkdir"])
        #expect(result.termination == .signaled(.badSystemCall), "\(output)")
        #expect(result.verdict == .seccompViolation(syscall: "unidentified system call"))
    }

    @Test(arguments: SandboxFilterTests.loaders)
    func killVerdictNamesTheSystemCall(_ initProcess: InitProcess) async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add("keyctl", .killProcess)
        let (result, output) = try await SandboxFilterTests.sandbox(filter, initProcess)
            .probe(["call", "getppid", "call", "keyctl", "call", "getppid"])
        #expect(result.verdict == .seccompViolation(syscall: "keyctl"), "\(output)")
        #expect(result.verdict.violatingSystemCall == "keyctl")
        #expect(output["keyctl"] == nil)
        #expect(output.all("getppid").count == 1)
        #expect(result.termination == .signaled(.kill))
    }
}

/// The built-in profiles.
@Suite struct ProfileTests {
    static func sandbox(_ filter: SeccompFilter) -> Sandbox {
        var sandbox = Sandbox()
        sandbox.seccomp = filter
        sandbox.environment = .clean
        return sandbox
    }

    @Test func defaultProfileBlocksWhatContainersBlock() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        let calls = ["keyctl", "bpf", "unshare-user", "tiocsti", "tiocsti-high", "personality", "tcgets", "socket-inet", "mkdir"]
        let (result, output) = try await Self.sandbox(.defaultProfile()).probe(calls.flatMap { ["call", $0] })
        #expect(result.termination == .exited(0), "\(output)")
        for blocked in ["keyctl", "bpf", "unshare-user", "tiocsti", "tiocsti-high", "personality"] {
            #expect(output[blocked] == "EPERM", "\(blocked): \(output)")
        }
        #expect(output["tcgets"] == "ENOTTY", "other ioctls reach the kernel")
        #expect(output["socket-inet"]?.hasPrefix("ok") == true)
        #expect(output["mkdir"]?.hasPrefix("ok") == true)
    }

    @Test func defaultProfileAllowsNamespacesWhenAsked() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        let (_, output) = try await Self.sandbox(.defaultProfile(allowing: .namespaces)).probe(["call", "unshare-user"])
        #expect(output["unshare-user"] == "ok 0", "\(output)")
    }

    @Test func defaultProfileRunsOrdinaryPrograms() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var sandbox = Self.sandbox(.defaultProfile())
        sandbox.environment = .clean
        let script = """
            set -e
            dir=$(mktemp -d)
            trap 'rm -rf "$dir"' EXIT
            printf 'b\\na\\n' | sort | tr a-z A-Z | head -1
            ls / >/dev/null; cp /etc/hostname "$dir/x"; wc -c < "$dir/x" >/dev/null
            python3 -c 'import json, subprocess; print(json.dumps({"py": subprocess.run(["true"]).returncode}))'
            printf '#include <stdio.h>\\nint main(void) { puts("compiled"); return 0; }\\n' > "$dir/t.c"
            gcc -o "$dir/t" "$dir/t.c"
            "$dir/t"
            """
        let result = try await sandbox.run("/bin/sh", ["-c", script], output: .string(), error: .string())
        #expect(result.termination == .exited(0), "\(result.standardError)")
        #expect(result.standardOutput == "A\n{\"py\": 0}\ncompiled\n", "\(result.standardError)")
        #expect(result.verdict == .normal)
    }

    @Test func strictProfileRunsComputeAndKillsSockets() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        let (computed, output) = try await Self.sandbox(.strict).probe(["call", "spin"])
        #expect(computed.termination == .exited(0), "\(output)")
        #expect(output["spin"]?.hasPrefix("ok") == true)
        #expect(computed.verdict == .normal)

        let (killed, _) = try await Self.sandbox(.strict).probe(["call", "spin", "call", "socket-unix"])
        #expect(killed.verdict == .seccompViolation(syscall: "socket"))
    }
}

/// Notifications answered in the host, and learn mode.
@Suite struct NotificationTests {
    final class Log: Sendable {
        let entries = Mutex<[SeccompNotification]>([])
    }

    @Test(arguments: SandboxFilterTests.loaders)
    func handlerSeesArgumentsAndItsAnswersTakeEffect(_ initProcess: InitProcess) async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        let log = Log()
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add(["connect", "getppid", "mkdir", "socket"], .notify)
        filter.notificationHandler = { notification in
            log.entries.withLock { $0.append(notification) }
            switch notification.systemCallName {
            case "connect": return .fail(EHOSTUNREACH)
            case "getppid": return .value(4242)
            case "mkdir": return .allow
            default: return notification.arguments[0] == UInt64(AF_UNIX) ? .allow : .kill
            }
        }
        let (result, output) = try await SandboxFilterTests.sandbox(filter, initProcess)
            .probe(["call", "connect", "call", "getppid", "call", "mkdir", "call", "socket-inet", "call", "getppid"])
        #expect(output["connect"] == "EHOSTUNREACH", "\(output)")
        #expect(output["getppid"] == "ok 4242")
        #expect(output["mkdir"] == "ok 0")
        #expect(output.all("getppid").count == 1, "killed at socket(AF_INET)")
        #expect(result.verdict == .seccompViolation(syscall: "socket"))

        let entries = log.entries.withLock { $0 }
        let connect = try #require(entries.first { $0.systemCallName == "connect" })
        #expect(connect.arguments[0] == UInt64(output["connect-fd"] ?? "") ?? .max)
        #expect(connect.arguments[2] == UInt64(output["connect-length"] ?? "") ?? .max)
        #expect(connect.pid > 0 && connect.isNativeArchitecture)
        #expect(entries.map(\.systemCallName).filter { $0 != "socket" } == ["connect", "getppid", "mkdir"])
    }

    @Test func learnedFilterRerunsTheCommandAndDeniesTheRest() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        let learner = SeccompLearner()
        var sandbox = Sandbox()
        sandbox.seccomp = learner.filter
        let (learning, learned) = try await sandbox.probe(["call", "getppid", "call", "socket-unix"])
        #expect(learning.termination == .exited(0), "\(learned)")
        #expect(learner.systemCalls.compactMap(\.name).contains("socket"))

        sandbox.seccomp = learner.learnedFilter()
        let (rerun, output) = try await sandbox.probe(["call", "getppid", "call", "socket-unix"])
        #expect(rerun.termination == .exited(0), "\(output)")
        #expect(output["socket-unix"]?.hasPrefix("ok") == true)

        let (denied, _) = try await sandbox.probe(["call", "getppid", "call", "mkdir"])
        #expect(denied.verdict == .seccompViolation(syscall: "mkdir"))
    }
}

/// Compilation happens once per filter, not per spawn.
@Suite struct CompilationTests {
    @Test func programIsCompiledOncePerFilter() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var sandbox = Sandbox()
        sandbox.seccomp = .defaultProfile()
        let prepared = try sandbox.prepare(TestEnvironment.probe, ["call", "getppid"])
        for _ in 0..<3 { try await expectGetppid(prepared) }
        for _ in 0..<3 { try await expectGetppid(try sandbox.prepare(TestEnvironment.probe, ["call", "getppid"])) }
        sandbox.initProcess = .payload
        for _ in 0..<3 { try await expectGetppid(try sandbox.prepare(TestEnvironment.probe, ["call", "getppid"])) }
        #expect(sandbox.seccomp?.compilationCount == 1)
    }

    private func expectGetppid(_ command: PreparedCommand) async throws {
        let result = try await command.run(output: .string(), error: .string())
        #expect(result.termination == .exited(0) && result.standardOutput.hasPrefix("getppid ok"),
                "\(result.termination) \(result.verdict): \(result.standardOutput) \(result.standardError)")
    }
}

/// The kernel loads a filter only under no_new_privs or with CAP_SYS_ADMIN:
/// a configuration that has neither is refused before any process exists.
@Suite struct FilterPrivilegeTests {
    @Test func filterWithoutNoNewPrivilegesOrSysAdminIsATypedError() throws {
        var sandbox = Sandbox()
        sandbox.seccomp = .defaultProfile()
        sandbox.noNewPrivileges = false
        #expect {
            _ = try sandbox.plan("/bin/true")
        } throws: { error in
            (error as? SandboxError)?.field == "noNewPrivileges" && (error as? SandboxError)?.message.contains(".sysAdmin") == true
        }
        sandbox.capabilities = .root(CapabilitySet.containerDefault.union([.sysAdmin]))
        #expect(try sandbox.plan("/bin/true").childSteps.contains { $0.contains("no_new_privs") } == false)
    }

    @Test func filterLoadsWithSysAdminInsteadOfNoNewPrivileges() async throws {
        guard TestEnvironment.hasRoot(for: "sandboxes with seccomp") else { return }
        var sandbox = Sandbox()
        sandbox.seccomp = .defaultProfile()
        sandbox.noNewPrivileges = false
        sandbox.capabilities = .root(CapabilitySet.containerDefault.union([.sysAdmin]))
        let (result, output) = try await sandbox.probe(["status", "call", "keyctl"])
        #expect(result.termination == .exited(0), "\(output)")
        #expect(output["keyctl"] == "EPERM")
        #expect(output["NoNewPrivs"] == "0", "\(output)")
    }
}

/// A payload running as a non-root uid has no CAP_SYS_ADMIN left when the
/// filter loads; no_new_privs (on by default) makes the kernel accept it.
@Suite struct UnprivilegedPayloadTests {
    @Test(arguments: SandboxFilterTests.loaders)
    func filterLoadsForANonRootPayload(_ initProcess: InitProcess) async throws {
        guard TestEnvironment.hasRoot(for: "mapping a second uid into the user namespace") else { return }
        var sandbox = SandboxFilterTests.sandbox(.defaultProfile(), initProcess)
        sandbox.user = UserNamespaceMapping(uids: [IDMapRange(inside: 0, outside: 0, count: 2000)],
                                            gids: [IDMapRange(inside: 0, outside: 0, count: 2000)])
        sandbox.identity = Identity(uid: 1000, gid: 1000)
        let (result, output) = try await sandbox.probe(["ids", "call", "keyctl"])
        #expect(result.termination == .exited(0), "\(output)")
        #expect(output["keyctl"] == "EPERM")
        #expect(output["uid"] == "1000", "\(output)")
    }
}
