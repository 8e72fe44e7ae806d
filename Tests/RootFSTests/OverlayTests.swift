import Containment
import Foundation
import TestSupport
import Testing

/// Copy-on-write roots: one image, many sandboxes, the image never changes.
@Suite struct OverlayTests {
    private func run(_ filesystem: FilesystemConfiguration, _ script: String) async throws -> SandboxResult {
        var sandbox = Sandbox()
        sandbox.filesystem = filesystem
        return try await sandbox.run("/bin/sh", ["-c", script], output: .string(), error: .string())
    }

    @Test func ephemeralUpperTakesTheWritesAndIsGoneAfterExit() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        let image = try await makeBusyboxImage()
        defer { image.remove() }
        let before = image.snapshot()
        let mountsBefore = hostMountTable()

        let first = try await run(.copyOnWrite(of: FilePath(image.path)),
                                  "echo written > /new && echo changed > /etc/motd && rm /data/original && cat /etc/motd && ls /")
        #expect(first.termination.isSuccess, "\(first.standardError)")
        #expect(first.standardOutput.hasPrefix("changed\n"))
        #expect(first.standardOutput.split(separator: "\n").contains("new"))

        #expect(image.snapshot() == before, "the image changed")
        #expect(hostMountTable() == mountsBefore)
        // The writes lived in the first sandbox's tmpfs only.
        let second = try await run(.copyOnWrite(of: FilePath(image.path)), "cat /etc/motd /data/original; ls /")
        #expect(second.standardOutput.hasPrefix("image\noriginal\n"))
        #expect(!second.standardOutput.split(separator: "\n").contains("new"))
    }

    @Test func directoryUpperKeepsTheWrites() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        let image = try await makeBusyboxImage()
        let state = try TemporaryDirectory("rootfs-upper")
        defer { image.remove(); state.remove() }
        try state.directory("upper")
        try state.directory("work")
        let before = image.snapshot()
        let upper = OverlayUpper.directory(FilePath(state.path + "/upper"), work: FilePath(state.path + "/work"))

        let first = try await run(.copyOnWrite(of: FilePath(image.path), upper: upper), "echo kept > /etc/motd && echo new > /new")
        #expect(first.termination.isSuccess, "\(first.standardError)")
        #expect(try String(contentsOfFile: state.path + "/upper/etc/motd", encoding: .utf8) == "kept\n")
        #expect(try String(contentsOfFile: state.path + "/upper/new", encoding: .utf8) == "new\n")
        #expect(image.snapshot() == before, "the image changed")

        let second = try await run(.copyOnWrite(of: FilePath(image.path), upper: upper), "cat /etc/motd /new")
        #expect(second.standardOutput == "kept\nnew\n")
    }

    @Test func twentyConcurrentSandboxesSeeOnlyTheirOwnWrites() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        let image = try await makeBusyboxImage()
        defer { image.remove() }
        let before = image.snapshot()
        let listings = try await withThrowingTaskGroup(of: (Int, SandboxResult).self) { group in
            for index in 0..<20 {
                group.addTask {
                    var sandbox = Sandbox()
                    sandbox.filesystem = .copyOnWrite(of: FilePath(image.path))
                    // Each writes its own file, waits while the others write, then lists the root.
                    let result = try await sandbox.run("/bin/sh", ["-c", "echo \(index) > /mine-\(index); sleep 0.3; ls /"],
                                                       output: .string(), error: .string())
                    return (index, result)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(listings.count == 20)
        for (index, result) in listings {
            #expect(result.termination.isSuccess, "\(result.standardError)")
            let mine = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("mine-") }
            #expect(mine == ["mine-\(index)"], "sandbox \(index) sees \(mine)")
        }
        #expect(image.snapshot() == before, "the image changed")
    }
}
