// rootfs-demo: builds a root from the busybox-static package's binary (or
// uses the directory given), runs a shell command in it, and shows
// copy-on-write: two sandboxes from one image, each writing its own file,
// the image unchanged.
import ArgumentParser
import Containment
import Foundation

@main
struct RootFSDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a shell in a private root filesystem, then two copy-on-write sandboxes from one image.")

    @Option(help: "An unpacked image to use as the root (default: a fresh busybox tree).")
    var image: String?

    @Option(help: "The busybox binary a fresh image is built from.")
    var busybox = "/bin/busybox"

    @Option(help: "Shell command to run in the image.")
    var command = "echo \"hello from $(hostname), pid $$\"; ls /; cut -d' ' -f2,3 /proc/mounts"

    mutating func run() async throws {
        let root = try image ?? Self.buildBusyboxImage(from: busybox)
        defer { if image == nil { try? FileManager.default.removeItem(atPath: root) } }
        print("image: \(root)\(image == nil ? " (built from \(busybox))" : "")")

        // 1. The image as a read-only root, with proc, a minimal /dev and /tmp.
        var sandbox = Sandbox()
        sandbox.filesystem = .image(FilePath(root))
        sandbox.hostname = "rootfs-demo"
        let shown = try await sandbox.run("/bin/sh", ["-c", command], output: .string(), error: .string())
        print("── \(command)")
        print(shown.standardOutput + shown.standardError, terminator: "")
        print("── \(shown.termination)\n")

        // 2. Copy-on-write: two sandboxes over the same image, concurrently.
        let before = Self.listing(root)
        async let first = Self.writeOwnFile(image: root, name: "first")
        async let second = Self.writeOwnFile(image: root, name: "second")
        for (name, output) in try await [("first", first), ("second", second)] {
            print("── sandbox \(name) wrote /\(name).txt and sees: " + output.split(separator: "\n").joined(separator: " "))
        }
        let after = Self.listing(root)
        print("── image after both: " + (after == before ? "unchanged" : "CHANGED: \(after)"))
        if after != before || !shown.termination.isSuccess { throw ExitCode(1) }
    }

    /// Runs a copy-on-write sandbox over `image` that writes /NAME.txt and lists /.
    static func writeOwnFile(image: String, name: String) async throws -> String {
        var sandbox = Sandbox()
        sandbox.filesystem = .copyOnWrite(of: FilePath(image))
        let result = try await sandbox.run("/bin/sh", ["-c", "echo \(name) > /\(name).txt; sleep 0.2; ls /"], output: .string())
        return result.standardOutput
    }

    /// A fresh image: /bin/busybox and links to it for the common tools.
    static func buildBusyboxImage(from busybox: String) throws -> String {
        let manager = FileManager.default
        let root = manager.temporaryDirectory.appendingPathComponent("rootfs-demo-\(getpid())").path
        for directory in ["bin", "etc", "proc", "dev", "tmp"] {
            try manager.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        try manager.copyItem(atPath: busybox, toPath: root + "/bin/busybox")
        for tool in ["sh", "ls", "cat", "cut", "echo", "sleep", "hostname"] {
            try manager.createSymbolicLink(atPath: root + "/bin/" + tool, withDestinationPath: "busybox")
        }
        return root
    }

    /// The image's top-level entries, to show it did not change.
    static func listing(_ root: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
    }
}
