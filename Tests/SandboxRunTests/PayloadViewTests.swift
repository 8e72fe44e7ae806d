import Foundation
import TestSupport
import Testing

/// Flags take effect: what the payload sees of itself and its filesystem.
@Suite struct PayloadViewTests {
    @Test func hostnameUserEnvironmentAndDirectory() async throws {
        let run = try await SandboxRunInvocation.run([
            "--hostname", "box", "--uid", "1000", "--gid", "1001", "--setenv", "GREETING", "hello world",
            "--chdir", "/tmp", "/bin/sh", "-c", "hostname; id -u; id -g; echo \"$GREETING\"; pwd; echo \"${HOME-unset}\"",
        ])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.lines == ["box", "1000", "1001", "hello world", "/tmp", "/"])
    }

    @Test func environmentIsCleanUnlessInherited() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SANDBOX_RUN_TEST"] = "from-host"
        let clean = try await SandboxRunInvocation.run(["/bin/sh", "-c", "echo ${SANDBOX_RUN_TEST-absent}"], environment: environment)
        #expect(clean.lines == ["absent"])
        let inherited = try await SandboxRunInvocation.run(["--inherit-env", "--unsetenv", "HOME", "/bin/sh", "-c", "echo $SANDBOX_RUN_TEST ${HOME-unset}"],
                                                     environment: environment)
        #expect(inherited.lines == ["from-host unset"])
    }

    @Test func readOnlyBindGivesEROFSAndOnlyTheGivenMountsExist() async throws {
        let run = try await SandboxRunInvocation.run(minimalRoot + [
            "--bind", "/tmp", "/scratch", "--dir", "/data",
            "/bin/sh", "-c", "ls /; touch /usr/x 2>&1; echo ok > /tmp/file && cat /tmp/file",
        ])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.lines.prefix(10) == ["bin", "data", "dev", "lib", "lib64", "proc", "sbin", "scratch", "tmp", "usr"])
        #expect(run.standardOutput.contains("touch: cannot touch '/usr/x': Read-only file system"))
        #expect(run.lines.last == "ok")
    }

    @Test func hostReadOnlyKeepsTheHostFilesVisibleButReadOnly() async throws {
        let run = try await SandboxRunInvocation.run(["--host-readonly", "/bin/sh", "-c",
                                                "test -f /etc/hostname && echo visible; touch /etc/x 2>&1; touch /tmp/y && echo tmp-writable"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.lines.first == "visible")
        #expect(run.standardOutput.contains("Read-only file system"))
        #expect(run.lines.last == "tmp-writable")
    }

    @Test func procPathsAreMaskedUnlessNoMasks() async throws {
        let script = "stat -c %F /proc/keys; grep ' /proc/sys ' /proc/self/mounts | cut -d' ' -f4 | cut -d, -f1"
        let masked = try await SandboxRunInvocation.run(minimalRoot + ["/bin/sh", "-c", script])
        #expect(masked.lines == ["character special file", "ro"], "\(masked.standardOutput)\(masked.standardError)")
        let unmasked = try await SandboxRunInvocation.run(minimalRoot + ["--no-masks", "/bin/sh", "-c", script])
        #expect(unmasked.lines == ["regular empty file"], "\(unmasked.standardOutput)\(unmasked.standardError)")
    }

    @Test func procShowsThePayloadsPidNamespace() async throws {
        let run = try await SandboxRunInvocation.run(minimalRoot + ["/bin/sh", "-c", "echo $$; ls /proc | grep -c '^[0-9]'"])
        #expect(run.status == 0, "\(run.standardError)")
        // The minimal init is pid 1, the shell pid 2; ls and grep are the others.
        #expect(run.lines.first == "2")
        #expect(Int(run.lines.last ?? "") ?? 99 <= 4)
    }

    @Test func networkNoneHasOnlyLoopbackAndHostSharesTheHosts() async throws {
        let own = try await SandboxRunInvocation.run(["--net", "none", "/bin/sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1"])
        #expect(own.lines.map { $0.trimmingCharacters(in: .whitespaces) } == ["lo"])
        let host = try await SandboxRunInvocation.run(["--net", "host", "/bin/sh", "-c", "tail -n +3 /proc/net/dev | wc -l"])
        let hostInterfaces = (try String(contentsOfFile: "/proc/net/dev", encoding: .utf8)).split(separator: "\n").count - 2
        #expect(Int(host.lines.first?.trimmingCharacters(in: .whitespaces) ?? "") == hostInterfaces)
    }

    @Test func capabilitiesAddAndDrop() async throws {
        let dropped = try await SandboxRunInvocation.run(["--cap-drop", "ALL", "/bin/sh", "-c", "grep CapEff /proc/self/status"])
        #expect(dropped.standardOutput.contains("0000000000000000"), "\(dropped.standardOutput)\(dropped.standardError)")
        let added = try await SandboxRunInvocation.run(["--cap-drop", "ALL", "--cap-add", "NET_ADMIN,net_raw", "/bin/sh", "-c", "grep CapEff /proc/self/status"])
        // CAP_NET_ADMIN (12) and CAP_NET_RAW (13).
        #expect(added.standardOutput.contains("0000000000003000"), "\(added.standardOutput)\(added.standardError)")
        let nonRoot = try await SandboxRunInvocation.run(["--uid", "1000", "--cap-add", "NET_BIND_SERVICE", "/bin/sh", "-c", "grep -E 'CapEff|CapAmb' /proc/self/status"])
        #expect(nonRoot.lines.allSatisfy { $0.hasSuffix("0000000000000400") }, "\(nonRoot.standardOutput)\(nonRoot.standardError)")
    }

    @Test func landlockDeniesWhatIsNotAllowed() async throws {
        let run = try await SandboxRunInvocation.run(["--landlock-exec", "/usr", "--landlock-read", "/proc",
                                                "/bin/sh", "-c", "cat /etc/hostname 2>&1; echo status $?"])
        #expect(run.standardOutput.contains("Permission denied"), "\(run.standardOutput)\(run.standardError)")
        #expect(run.lines.last == "status 1")
    }

    @Test func seccompProfileFromAFile() async throws {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-run-profile-\(getpid()).json")
        try #"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}"#
            .write(to: profile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: profile) }
        let run = try await SandboxRunInvocation.run(minimalRoot + ["--seccomp", profile.path, "/bin/sh", "-c", "mkdir /tmp/d 2>&1; echo status $?"])
        #expect(run.standardOutput.contains("Operation not permitted"), "\(run.standardOutput)\(run.standardError)")
        #expect(run.lines.last == "status 1")
    }

    @Test func defaultSeccompProfileRefusesMountButRunsOrdinaryPrograms() async throws {
        let run = try await SandboxRunInvocation.run(["--cap-add", "SYS_ADMIN", "/bin/sh", "-c", "ls / > /dev/null && echo listed; unshare --mount true 2>&1; echo status $?"])
        #expect(run.lines.first == "listed", "\(run.standardError)")
        #expect(run.standardOutput.contains("Operation not permitted"))
        let unfiltered = try await SandboxRunInvocation.run(["--seccomp", "none", "--cap-add", "SYS_ADMIN", "/bin/sh", "-c", "unshare --mount true; echo status $?"])
        #expect(unfiltered.lines.last == "status 0", "\(unfiltered.standardOutput)\(unfiltered.standardError)")
    }
}
