import Containment
import Glibc
import TestSupport
import Testing

/// Invalid configurations are typed errors naming the field, before any process exists.
@Suite struct ConfigurationErrorTests {
    @Test func overlappingIDMapsAreRejected() throws {
        var sandbox = Sandbox()
        sandbox.user = UserNamespaceMapping(
            uids: [IDMapRange(inside: 0, outside: 1000, count: 10), IDMapRange(inside: 5, outside: 5000, count: 10)],
            gids: [IDMapRange(inside: 0, outside: 1000)])
        let error = try #require(throws: NamespaceError.self) { try sandbox.plan("/bin/true") }
        #expect(error.code == .overlappingIDMap)
        #expect(error.field == "user.uids")
        #expect(error.message.contains("overlap inside"))
    }

    @Test func emptyIDMapRangeIsRejected() throws {
        var sandbox = Sandbox()
        sandbox.user = UserNamespaceMapping(uids: [IDMapRange(inside: 0, outside: 0, count: 0)], gids: [IDMapRange(inside: 0, outside: 0)])
        let error = try #require(throws: NamespaceError.self) { try sandbox.plan("/bin/true") }
        #expect(error.code == .invalidIDMap)
    }

    @Test func emptyExecutableIsRejected() throws {
        let error = try #require(throws: SandboxError.self) { try Sandbox().plan("") }
        #expect(error.code == .invalidConfiguration)
        #expect(error.field == "executable")
    }

    @Test func bareNameWithoutPathIsRejected() throws {
        var sandbox = Sandbox()
        sandbox.environment = .custom(["HOME": "/"])
        let error = try #require(throws: SandboxError.self) { try sandbox.plan("ls") }
        #expect(error.field == "executable")
        #expect(error.message.contains("no PATH"))
    }

    @Test func tooLongHostnameIsRejected() throws {
        var sandbox = Sandbox()
        sandbox.hostname = String(repeating: "h", count: 65)
        let error = try #require(throws: NamespaceError.self) { try sandbox.plan("/bin/true") }
        #expect(error.code == .invalidHostname)
        #expect(error.field == "hostname")
    }

    @Test func hostnameWithoutUTSNamespaceIsRejected() throws {
        var sandbox = Sandbox()
        sandbox.namespaces = [.user, .pid]
        sandbox.hostname = "box"
        let error = try #require(throws: NamespaceError.self) { try sandbox.plan("/bin/true") }
        #expect(error.code == .namespaceNotCreated)
        #expect(error.message.contains(".uts"))
    }

    @Test func timeOffsetsWithoutTimeNamespaceAreRejected() throws {
        var sandbox = Sandbox()
        sandbox.timeOffsets = TimeOffsets(monotonic: .seconds(10))
        let error = try #require(throws: NamespaceError.self) { try sandbox.plan("/bin/true") }
        #expect(error.code == .namespaceNotCreated)
        #expect(error.field == "timeOffsets")
    }

    @Test func creatingAndJoiningOneKindIsRejected() throws {
        var sandbox = Sandbox()
        sandbox.joins = [.process(1, .network)]
        let error = try #require(throws: NamespaceError.self) { try sandbox.plan("/bin/true") }
        #expect(error.code == .conflictingJoin)
    }

    @Test func relativeWorkingDirectoryIsRejected() throws {
        var sandbox = Sandbox()
        sandbox.workingDirectory = "tmp"
        let error = try #require(throws: SandboxError.self) { try sandbox.plan("/bin/true") }
        #expect(error.field == "workingDirectory")
    }

    @Test func argumentWithNULIsRejected() throws {
        let error = try #require(throws: SandboxError.self) { try Sandbox().plan("/bin/echo", ["a\u{0}b"]) }
        #expect(error.field == "arguments[0]")
    }

    @Test func closedPassedDescriptorIsRejected() throws {
        // No descriptor of this process can be at its RLIMIT_NOFILE or above,
        // whatever the tests running beside have open.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        var sandbox = Sandbox()
        sandbox.passedDescriptors = [FileDescriptor(rawValue: Int32(clamping: limit.rlim_cur))]
        let error = try #require(throws: SandboxError.self) { try sandbox.plan("/bin/true") }
        #expect(error.field == "passedDescriptors")
    }

    @Test func dryRunListsEveryStepInOrder() throws {
        var sandbox = Sandbox()
        sandbox.hostname = "box"
        sandbox.workingDirectory = "/tmp"
        let plan = try sandbox.plan("ls", ["-l"])
        let steps = plan.childSteps
        #expect(steps.first == "set parent-death signal SIGKILL")
        #expect(steps.last == "exec ls")
        let order = ["set parent-death signal SIGKILL", "wait for the parent", "bring up lo", "sethostname box", "setsid", "chdir /tmp", "exec ls"]
        let positions = order.map { step in steps.firstIndex(of: step) }
        #expect(!positions.contains(nil), "\(steps)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(plan.executableCandidates.first == "/usr/local/sbin/ls")
        #expect(plan.description.contains("host: write uid_map"))
    }
}
