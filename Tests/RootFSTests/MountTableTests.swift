import Containment
import Foundation
import Glibc
import TestSupport
import Testing

/// Nothing a sandbox mounts reaches the host, whether its setup finished or
/// failed half-way.
@Suite struct MountTableTests {
    @Test func hostMountTableIsUnchangedAfter200Sandboxes() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        let image = try await makeBusyboxImage()
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

/// Mounts do not propagate from the host into a running sandbox.
@Suite struct PropagationTests {
    @Test func hostMountsMadeLaterStayOutOfTheSandbox() async throws {
        guard TestEnvironment.hasRoot(for: "mounting on the host") else { return }
        // Under /run, which the host read-only root shows (its /tmp is private).
        let directory = "/run/rootfs-propagation-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory + "/mnt", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        #expect(pipe(&input) == 0 && pipe(&output) == 0)
        let go = FileDescriptor(rawValue: input[1]), listing = FileDescriptor(rawValue: output[0])
        defer { try? listing.close() }

        var sandbox = Sandbox()
        sandbox.filesystem = .hostReadOnly
        let process = try await sandbox.spawn("/bin/sh", ["-c", "read go; ls \(directory)/mnt; echo done"],
                                              input: .fileDescriptor(FileDescriptor(rawValue: input[0])),
                                              output: .fileDescriptor(FileDescriptor(rawValue: output[1])))
        close(input[0])
        close(output[1])
        // The sandbox runs; now the host mounts under a directory it can see.
        #expect(mount("tmpfs", directory + "/mnt", "tmpfs", 0, nil) == 0)
        defer { umount2(directory + "/mnt", Int32(MNT_DETACH)) }
        #expect(FileManager.default.createFile(atPath: directory + "/mnt/from-the-host", contents: Data()))
        _ = try go.writeAll(Array("go\n".utf8))
        try go.close()
        let result = try await process.wait()
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = buffer.withUnsafeMutableBytes({ read(listing.rawValue, $0.baseAddress, $0.count) }), count > 0 {
            seen += buffer[0..<count]
        }
        #expect(result.termination.isSuccess)
        #expect(String(decoding: seen, as: UTF8.self) == "done\n")
    }
}
