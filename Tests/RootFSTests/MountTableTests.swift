import Containment
import Foundation
import TestSupport
import Testing

/// Nothing a sandbox mounts reaches the host, whether its setup finished or
/// failed half-way.
@Suite struct MountTableTests {
    @Test func hostMountTableIsUnchangedAfter200Sandboxes() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        let image = try makeBusyboxImage()
        defer { image.remove() }
        // Half the sandboxes fail after the overlay root, proc, /dev and /tmp
        // are mounted: the last mount's target lies under a missing directory.
        let complete = try {
            var sandbox = Sandbox()
            sandbox.filesystem = .copyOnWrite(of: FilePath(image.path))
            return try sandbox.prepare("/bin/true")
        }()
        let failing = try {
            var sandbox = Sandbox()
            sandbox.filesystem = .copyOnWrite(of: FilePath(image.path))
            sandbox.filesystem?.mounts += [.tmpfs(at: "/run"), .symlink("/missing", at: "/run/dangling"), .tmpfs(at: "/run/dangling/x")]
            return try sandbox.prepare("/bin/true")
        }()
        let before = hostMountTable()
        var ran = 0, failed = 0
        for _ in 0..<20 {
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        do {
                            let result = try await (index.isMultiple(of: 2) ? complete : failing).run()
                            return result.termination.isSuccess
                        } catch let error as SandboxError where error.code == .setupFailed {
                            #expect(error.step == "tmpfs on /run/dangling/x: open /run/dangling in the root")
                            #expect(error.errno == .noSuchFileOrDirectory)
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            ran += outcomes.filter { $0 }.count
            failed += outcomes.filter { !$0 }.count
        }
        #expect(ran == 100)
        #expect(failed == 100)
        #expect(hostMountTable() == before)
    }
}
