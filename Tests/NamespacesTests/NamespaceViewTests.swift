import Containment
import Glibc
import TestSupport
import Testing

/// What a sandboxed process sees of its namespaces, read from inside.
@Suite struct NamespaceViewTests {
    @Test func everyRequestedKindIsNewAndTheOthersAreShared() async throws {
        guard TestEnvironment.hasRoot(for: "creating a time namespace beside the others") else { return }
        let host = NamespaceIdentity.all()
        var sandbox = Sandbox()
        sandbox.namespaces = NamespaceSet.all.union(.time)
        let (_, isolated) = try await sandbox.probe(["ns"])
        for kind in NamespaceKind.allCases {
            let inside = try #require(isolated.all("ns").first { $0.hasPrefix(kind.name + " ") })
            #expect(inside != "\(kind.name) \(host[kind]!.inode)", "\(kind) should be new")
        }

        sandbox.namespaces = [.user, .uts]
        let (_, partial) = try await sandbox.probe(["ns"])
        for kind in NamespaceKind.allCases {
            let inside = try #require(partial.all("ns").first { $0.hasPrefix(kind.name + " ") })
            let shared = inside == "\(kind.name) \(host[kind]!.inode)"
            #expect(shared == ![NamespaceKind.user, .uts].contains(kind), "\(kind) shared: \(shared)")
        }
    }

    @Test func payloadRunsUnderTheMinimalInitOrAsPidOne() async throws {
        let (_, underInit) = try await Sandbox().probe(["ids"])
        #expect(underInit["pid"] == "2")
        #expect(underInit["ppid"] == "1")

        var sandbox = Sandbox()
        sandbox.initProcess = .payload
        let (_, asInit) = try await sandbox.probe(["ids"])
        #expect(asInit["pid"] == "1")
        #expect(asInit["ppid"] == "0")
    }

    @Test func hostnameAndDomainNameAreSet() async throws {
        var sandbox = Sandbox()
        sandbox.hostname = "box"
        sandbox.isolation.domainName = "example.test"
        let (_, view) = try await sandbox.probe(["hostname"])
        #expect(view["hostname"] == "box")
        #expect(view["domainname"] == "example.test")
    }

    @Test func networkNamespaceHasOnlyLoopbackAndItIsUp() async throws {
        let (_, view) = try await Sandbox().probe(["interfaces"])
        #expect(view.all("interface") == ["lo UP"])

        var down = Sandbox()
        down.isolation.loopbackUp = false
        let (_, downView) = try await down.probe(["interfaces"])
        #expect(downView.all("interface") == ["lo DOWN"])
    }

    @Test func selfMappingIsWrittenExactly() async throws {
        let me = HostIdentity.currentUser
        let (_, view) = try await Sandbox().probe(["ids", "maps"])
        #expect(view["uid"] == "0")
        #expect(normalized(view.all("uid_map")) == ["0 \(me.uid) 1"])
        #expect(normalized(view.all("gid_map")) == ["0 \(me.gid) 1"])
    }

    @Test func multiRangeMapsAreWrittenExactly() async throws {
        guard TestEnvironment.hasRoot(for: "writing multi-range id maps") else { return }
        var sandbox = Sandbox()
        sandbox.user = UserNamespaceMapping(
            uids: [IDMapRange(inside: 0, outside: 100_000, count: 1000), IDMapRange(inside: 1000, outside: 0, count: 1)],
            gids: [IDMapRange(inside: 0, outside: 200_000, count: 65536)])
        sandbox.identity = Identity(uid: 1000, gid: 5)
        let (_, view) = try await sandbox.probe(["ids", "maps"])
        #expect(normalized(view.all("uid_map")) == ["0 100000 1000", "1000 0 1"])
        #expect(normalized(view.all("gid_map")) == ["0 200000 65536"])
        #expect(view["uid"] == "1000")
        #expect(view["gid"] == "5")
        #expect(view["groups"] == "")
    }

    @Test func timeOffsetsShowInTheMonotonicClock() async throws {
        guard TestEnvironment.hasRoot(for: "a time namespace") else { return }
        var sandbox = Sandbox()
        sandbox.namespaces.insert(.time)
        sandbox.timeOffsets = TimeOffsets(monotonic: .seconds(1_000_000))
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (_, view) = try await sandbox.probe(["monotonic"])
        let inside = try #require(view["monotonic"].flatMap { Int($0) })
        #expect(inside >= now.tv_sec + 1_000_000)
        #expect(inside < now.tv_sec + 1_000_000 + 60)
    }

    @Test func joiningTheNamespacesOfARunningSandbox() async throws {
        var first = Sandbox()
        first.hostname = "first"
        let running = try await first.spawn(TestEnvironment.probe, ["wait-signal"], output: .stream)
        var iterator = try #require(running.standardOutput).makeAsyncIterator()
        _ = try await iterator.next()  // "ready"

        // Joining namespaces owned by the first sandbox's user namespace
        // needs its capabilities there: join that user namespace first.
        // Creating other namespaces beside the joins needs root.
        var second = Sandbox()
        second.namespaces = TestEnvironment.isRoot ? [.pid, .mount, .ipc, .cgroup] : []
        second.joins = [.process(running.pid, .user), .process(running.pid, .uts), .process(running.pid, .network)]
        let (result, view) = try await second.probe(["hostname", "ns"])
        #expect(result.termination.isSuccess)
        #expect(view["hostname"] == "first")
        let firstIDs = NamespaceIdentity.all(pid: running.pid)
        #expect(view.all("ns").contains("uts \(firstIDs[.uts]!.inode)"))
        #expect(view.all("ns").contains("net \(firstIDs[.network]!.inode)"))
        #expect(view.all("ns").contains("user \(firstIDs[.user]!.inode)"))
        try running.kill()
        #expect(try await running.wait().verdict == .killedOnRequest)
    }

    @Test func rootlessHelperSpawnsAUserNamespaceSandbox() async throws {
        guard TestEnvironment.hasRoot(for: "switching to the nobody user") else { return }
        let (result, view) = try await TestEnvironment.runHelperAsNobody(["probe", TestEnvironment.probe, "ids", "maps", "interfaces"])
        #expect(result.termination.isSuccess, "\(result.standardOutput)")
        #expect(view["termination"] == "exited(0)")
        #expect(view["uid"] == "0")
        #expect(view["pid"] == "2")
        #expect(normalized(view.all("uid_map")) == ["0 65534 1"])
        #expect(view.all("interface") == ["lo UP"])
    }
}

/// uid_map lines with their column padding collapsed.
func normalized(_ lines: [String]) -> [String] {
    lines.map { $0.split(separator: " ").joined(separator: " ") }
}
