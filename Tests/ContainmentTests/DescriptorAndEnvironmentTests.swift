import Containment
import ContainmentSupport
import Glibc
import Synchronization
import TestSupport
import Testing

/// What the payload gets: descriptors, environment, working directory, input.
@Suite struct DescriptorAndEnvironmentTests {
    @Test func noHostDescriptorLeaksIntoTheChild() async throws {
        // Descriptors opened without O_CLOEXEC, as careless host code does.
        let leaked = (0..<3).map { _ in open("/etc/passwd", O_RDONLY) }
        defer { leaked.forEach { close($0) } }
        let (_, view) = try await Sandbox().probe(["fds"])
        #expect(view.all("fd").map { $0.split(separator: " ")[0] } == ["0", "1", "2"])
    }

    @Test func passedDescriptorsArriveInOrder() async throws {
        let file = open("/etc/passwd", O_RDONLY | O_CLOEXEC)
        defer { close(file) }
        var sandbox = Sandbox()
        sandbox.passedDescriptors = [FileDescriptor(rawValue: file)]
        let (_, view) = try await sandbox.probe(["fds"])
        #expect(view.all("fd") .contains("3 /etc/passwd"))
        #expect(view.all("fd").count == 4)
    }

    /// The seccomp program's memfd is a host descriptor like any other: when
    /// its number lies where the layout places stdio or passed descriptors,
    /// it must be copied away before they land on it.
    @Test func seccompProgramBelowTheLayoutSurvivesPlacement() async throws {
        var sandbox = Sandbox()
        var filter = SeccompFilter(defaultAction: .allow)
        filter.add(["mkdir", "mkdirat"], .errno(EPERM))
        filter.add("getpgid", .errno(Int32(getpid() % 4000) + 1))  // a value of this test's own: a fresh memfd
        sandbox.seccomp = filter
        let isFilter = { (entry: (fd: Int32, target: String)) in entry.target.hasPrefix("/memfd:seccomp-filter") }
        let before = Set(openDescriptors().filter(isFilter).map(\.fd))
        _ = try sandbox.plan("/bin/true")  // creates the program's memfd at the lowest free number
        let memfd = try #require(openDescriptors().filter(isFilter).map(\.fd).first { !before.contains($0) })
        let passed = (0..<10).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { passed.forEach { close($0) } }
        sandbox.passedDescriptors = passed.map { FileDescriptor(rawValue: $0) }
        // Run alone, the memfd takes a low number and the passed descriptors
        // land on it; with other suites opening descriptors concurrently it
        // may not, and the run below must work all the same.
        let collides = memfd < 3 + Int32(passed.count)
        let result = try await sandbox.run("/bin/sh", ["-c", "mkdir /tmp/x-$$ 2>&1; echo status $?"], output: .string(), error: .string())
        #expect(result.standardOutput.contains("Operation not permitted"), "\(result.standardOutput)\(result.standardError)")
        #expect(result.termination == .exited(0), "collision arranged: \(collides)")
    }

    private func openDescriptors() -> [(fd: Int32, target: String)] {
        let numbers = (directoryEntries("/proc/self/fd") ?? []).compactMap { Int32($0.name) }
        return numbers.compactMap { fd in
            var buffer = [CChar](repeating: 0, count: 512)
            let count = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
            guard count > 0 else { return nil }
            return (Int32(fd), String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    @Test func socketActivationFollowsTheSystemdConvention() async throws {
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        // An abstract socket: a leading NUL, then the name.
        let name = [0] + Array("containment-test-\(getpid())".utf8)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sa_family_t>.size + name.count))
            }
        }
        #expect(bound == 0)
        #expect(listen(socket, 8) == 0)
        defer { close(socket) }

        for (initProcess, namespaces, expectedPID) in [(InitProcess.minimal, NamespaceSet.all, "2"), (.payload, .all, "1"), (.minimal, [.user], nil)] {
            var sandbox = Sandbox()
            sandbox.namespaces = namespaces
            sandbox.initProcess = initProcess
            sandbox.passedDescriptors = [FileDescriptor(rawValue: socket)]
            sandbox.socketActivation = true
            let (_, view) = try await sandbox.probe(["listen"])
            #expect(view["LISTEN_FDS"] == "1")
            #expect(view["LISTEN_PID"] == (expectedPID ?? view["pid"]))
            #expect(view["fd3"] == "listening")
        }
    }

    /// The host's environment is read, never changed: setenv(3) in a
    /// process whose other threads spawn (and read `environ`) is a race.
    @Test func defaultEnvironmentIsCleanNotTheHosts() async throws {
        var host: [String] = []
        var entry = environ
        while let variable = entry.pointee {
            host.append(String(cString: variable))
            entry += 1
        }
        host.removeAll { $0.contains("\n") }
        try #require(!host.isEmpty)
        let result = try await Sandbox().run("/usr/bin/env", output: .string())
        #expect(result.standardOutput.split(separator: "\n").sorted() == ["HOME=/", "PATH=\(Environment.defaultPath)"])

        var inheriting = Sandbox()
        inheriting.environment = Environment.inherit.updating(["EXTRA": "1"])
        let inherited = try await inheriting.run("/usr/bin/env", output: .string())
        let lines = Set(inherited.standardOutput.split(separator: "\n").map(String.init))
        #expect(Set(host).subtracting(lines).isEmpty)
        #expect(lines.contains("EXTRA=1"))
    }

    @Test func workingDirectoryIsSet() async throws {
        var sandbox = Sandbox()
        sandbox.workingDirectory = "/usr/share"
        let (_, view) = try await sandbox.probe(["cwd"])
        #expect(view["cwd"] == "/usr/share")
    }

    @Test func inputBytesReachThePayloadAndOutputIsCollectedWithALimit() async throws {
        let text = String(repeating: "line of input\n", count: 10_000)
        let result = try await Sandbox().run("/bin/cat", input: .string(text), output: .string(limit: 1 << 20))
        #expect(result.standardOutput == text)

        let limited = try await Sandbox().run("/bin/cat", input: .string(text), output: .collected(limit: 100))
        #expect(limited.standardOutputBytes.count == 100)
        #expect(limited.droppedStandardOutputBytes == text.utf8.count - 100)
        #expect(limited.termination.isSuccess)
        #expect(limited.verdict == .normal)
        #expect(result.droppedStandardOutputBytes == 0)
    }

    /// Input the payload never reads ends in EPIPE for the host's writer, not
    /// in a SIGPIPE that would end the host process (this test's).
    @Test func unreadInputDoesNotSignalTheHost() async throws {
        let unread = try await Sandbox().run("/bin/true", input: .bytes([UInt8](repeating: 120, count: 1 << 20)))
        #expect(unread.termination.isSuccess)

        let process = try await Sandbox().spawn("/bin/true", input: .pipe)
        _ = try await process.wait()
        let sink = try #require(process.standardInput)
        await #expect(throws: Errno.brokenPipe) { try await sink.write("after the end\n") }
    }

    /// Finishing the input while a write waits for the payload to read
    /// closes the pipe once the write has returned: every byte arrives,
    /// then end-of-file.
    @Test(.timeLimit(.minutes(1))) func finishingDuringAWriteLetsItComplete() async throws {
        let process = try await Sandbox().spawn("/bin/sh", ["-c", "sleep 1; wc -c"], input: .pipe, output: .stream)
        let sink = try #require(process.standardInput), output = try #require(process.standardOutput)
        let writing = Atomic(false)
        let writer = Task {
            writing.store(true, ordering: .releasing)
            try await sink.write([UInt8](repeating: 120, count: 1 << 20))
        }
        // The write fills the pipe at once and then waits for the payload,
        // which reads only after a second.
        while !writing.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(100))
        sink.finish()
        try await writer.value
        let counted = String(decoding: try await output.collect(), as: UTF8.self)
        #expect(counted.split(whereSeparator: \.isWhitespace) == ["\(1 << 20)"])
        #expect(try await process.wait().termination.isSuccess)
        await #expect(throws: Errno.badFileDescriptor) { try await sink.write("after finish\n") }
    }

    /// A payload that writes without end is ended at the limit, on either
    /// stream, and the verdict says why.
    @Test(arguments: [false, true]) func outputBeyondTheLimitEndsTheSandbox(onStandardError: Bool) async throws {
        var sandbox = Sandbox()
        sandbox.wallTimeLimit = .seconds(20)
        let collected = OutputOption.collected(limit: 64 << 10, overflow: .endSandbox)
        let result = try await sandbox.run("/bin/sh", ["-c", onStandardError ? "yes >&2" : "yes"],
                                           output: onStandardError ? .discarded : collected,
                                           error: onStandardError ? collected : .discarded)
        #expect(result.verdict == .outputLimit)
        #expect(result.verdict.code == "output-limit")
        #expect(result.termination == .signaled(.kill))
        #expect((onStandardError ? result.standardErrorBytes : result.standardOutputBytes).count == 64 << 10)
        #expect((onStandardError ? result.droppedStandardErrorBytes : result.droppedStandardOutputBytes) > 0)
        #expect(result.usage.wallTime < .seconds(10))
    }

    /// Over the limit is over the limit, also when the payload ended on its
    /// own before the kill reached it.
    @Test func outputOverTheLimitIsTheVerdictEvenWhenThePayloadExitedFirst() async throws {
        // 1,000 bytes fit the pipe: echo is usually gone before they are read.
        let result = try await Sandbox().run("/bin/echo", [String(repeating: "x", count: 999)],
                                             output: .collected(limit: 100, overflow: .endSandbox))
        #expect(result.verdict == .outputLimit)
        #expect(result.standardOutputBytes.count == 100)
        #expect(result.droppedStandardOutputBytes == 900)
    }

    @Test func standardErrorIsSeparate() async throws {
        let result = try await Sandbox().run("/bin/sh", ["-c", "echo out; echo err >&2"], output: .string(), error: .string())
        #expect(result.standardOutput == "out\n")
        #expect(result.standardError == "err\n")
    }

    @Test func identityInsideIsSetWithNoGroups() async throws {
        var sandbox = Sandbox()
        sandbox.identity = Identity(uid: 0, gid: 0)
        let (_, view) = try await sandbox.probe(["ids"])
        #expect(view["uid"] == "0")
        #expect(view["groups"] == "")
    }
}
