import Containment
import Foundation
import Glibc
import TestSupport
import Testing

/// An unprivileged user gets an image root with proc and a minimal /dev,
/// inside a user namespace of its own.
@Suite struct RootlessTests {
    @Test func busyboxImageWithProcAndDevicesAsNobody() async throws {
        guard TestEnvironment.hasRoot(for: "switching to the nobody user") else { return }
        let image = try await makeBusyboxImage()
        defer { image.remove() }
        let before = image.snapshot()
        let script = "id -u; ls /dev; ls /proc; cat /proc/self/uid_map; echo x > /dev/null && echo null-ok; echo x > /etc/motd"
        let (result, _) = try await TestEnvironment.runHelperAsNobody(["rootfs-image", image.path, "/bin/sh", "-c", script])
        let lines = result.standardOutput.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.last == "termination exited(1)", "\(result.standardOutput)\(result.standardError)")
        #expect(lines.first == "0")
        for device in ["null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx", "shm", "fd", "stdin", "stdout", "stderr"] {
            #expect(lines.contains(device), "no /dev/\(device)")
        }
        // Only the sandbox's own processes: the init (1) and the shell (2), and ls's.
        let pids = lines.filter { $0.allSatisfy(\.isNumber) }.compactMap { Int($0) }
        #expect(pids.contains(1) && pids.contains(2) && pids.allSatisfy { $0 < 10 }, "\(pids)")
        #expect(lines.contains("0 65534 1"))
        #expect(lines.contains("null-ok"))
        // The image root is read-only.
        #expect(result.standardOutput.contains("Read-only file system"))
        #expect(image.snapshot() == before)
    }

    @Test func copyOnWriteOverlayAsNobody() async throws {
        guard TestEnvironment.hasRoot(for: "switching to the nobody user") else { return }
        let image = try await makeBusyboxImage()
        defer { image.remove() }
        // The user's own unpacked image: its files are root's inside the sandbox.
        for case let name as String in FileManager.default.enumerator(atPath: image.path) ?? FileManager.DirectoryEnumerator() {
            lchown(image.path + "/" + name, 65534, 65534)
        }
        let before = image.snapshot()
        let script = "echo changed > /etc/motd && echo scratch > /tmp/file && cat /etc/motd /tmp/file /proc/mounts"
        let (result, _) = try await TestEnvironment.runHelperAsNobody(["rootfs-image", "--copy-on-write", image.path, "/bin/sh", "-c", script])
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.last == "termination exited(0)", "\(result.standardOutput)")
        #expect(lines.prefix(2) == ["changed", "scratch"])
        #expect(lines.contains { $0.contains(" / overlay ") })
        #expect(lines.contains { $0.contains(" /tmp tmpfs ") })
        #expect(image.snapshot() == before)
    }
}
