import Containment
import Foundation
import Glibc
import TestSupport
import Testing

/// What the payload sees of each mount kind.
@Suite struct MountViewTests {
    @Test func eachMountKindAsSeenInside() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        let data = try TemporaryDirectory()
        defer { data.remove() }
        try data.file("ro/readme", "read only\n")
        try data.directory("rw")
        try data.file("lower/base", "from the lower layer\n")
        try data.file("single", "a single file\n")

        var sandbox = Sandbox()
        // Map enough ids for a tmpfs owned by 1000.
        sandbox.user = UserNamespaceMapping(uids: [IDMapRange(inside: 0, outside: 0, count: 65536)],
                                            gids: [IDMapRange(inside: 0, outside: 0, count: 65536)])
        sandbox.filesystem = probeFilesystem([
            .bind(FilePath(data.path + "/ro"), to: "/ro"),
            .bind(FilePath(data.path + "/ro"), to: "/ro-noexec", attributes: [.readOnly, .noExec, .noSuid, .noDev], recursive: false),
            .tmpfs(at: "/home/user", TmpfsOptions(size: 1 << 20, mode: .ownerReadWriteExecute, uid: 1000, gid: 1000)),
            .bind(FilePath(data.path + "/rw"), to: "/rw", attributes: []),
            .bind(FilePath(data.path + "/single"), to: "/etc/single"),
            .tmpfs(at: "/scratch", size: 1 << 20, mode: FilePermissions(rawValue: 0o1777)),
            .sysfs(),
            .mqueue(),
            .overlay(lower: [FilePath(data.path + "/lower")], at: "/merged"),
            .file("/etc/hosts", contents: "127.0.0.1 localhost box\n"),
            .symlink("/etc/hosts", at: "/hosts-link"),
            .directory("/data/deep/down"),
        ])
        let (result, view) = try await sandbox.probe([
            "mounts", "read", "/etc/hosts", "read", "/hosts-link", "read", "/etc/single", "read", "/ro/readme",
            "write", "/ro/new", "write", "/usr/new", "write", "/rw/new", "write", "/scratch/new", "write", "/merged/new",
            "read", "/merged/base", "ls", "/data/deep/down",
        ])
        #expect(result.termination.isSuccess, "\(result.standardError)")
        let mounts = Dictionary(view.all("mount").map { line -> (String, [String]) in
            let fields = line.split(separator: " ").map(String.init)
            return (fields[0], fields)
        }, uniquingKeysWith: { _, last in last })
        func check(_ point: String, type: String, has options: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            guard let fields = mounts[point] else {
                Issue.record("no mount at \(point): \(view)", sourceLocation: sourceLocation)
                return
            }
            #expect(fields[1] == type, "\(point)", sourceLocation: sourceLocation)
            let flags = Set(fields[2].split(separator: ",").map(String.init) + fields[3].split(separator: ",").map(String.init))
            for option in options { #expect(flags.contains(option), "\(point) lacks \(option): \(fields)", sourceLocation: sourceLocation) }
        }
        check("/", type: "tmpfs", has: ["rw"])
        check("/usr", type: mounts["/usr"]?[1] ?? "?", has: ["ro", "nosuid", "nodev"])
        check("/ro", type: mounts["/ro"]?[1] ?? "?", has: ["ro"])
        check("/ro-noexec", type: mounts["/ro-noexec"]?[1] ?? "?", has: ["ro", "noexec", "nosuid", "nodev"])
        check("/home/user", type: "tmpfs", has: ["size=1024k", "mode=700", "uid=1000", "gid=1000"])
        check("/rw", type: mounts["/rw"]?[1] ?? "?", has: ["rw"])
        // mountinfo leaves out tmpfs's default mode, 1777.
        check("/scratch", type: "tmpfs", has: ["rw", "nosuid", "nodev", "size=1024k"])
        check("/proc", type: "proc", has: ["rw", "nosuid", "nodev", "noexec"])
        check("/sys", type: "sysfs", has: ["ro", "nosuid", "nodev", "noexec"])
        check("/dev", type: "tmpfs", has: ["nosuid", "noexec", "mode=755"])
        check("/dev/pts", type: "devpts", has: ["nosuid", "noexec", "ptmxmode=666"])
        check("/dev/shm", type: "tmpfs", has: ["nosuid", "nodev", "noexec", "size=65536k"])
        check("/dev/mqueue", type: "mqueue", has: ["nosuid", "nodev", "noexec"])
        check("/merged", type: "overlay", has: ["nosuid", "nodev"])
        check("/proc/sys", type: "proc", has: ["ro"])
        check("/proc/keys", type: mounts["/proc/keys"]?[1] ?? "?", has: [])
        #expect(mounts["/sys/firmware"]?[1] == "tmpfs")
        #expect(!(mounts["/scratch"]?[3].contains("mode=") ?? true))

        #expect(view.everything("content", "/etc/hosts") == ["127.0.0.1 localhost box"])
        #expect(view.everything("content", "/hosts-link") == ["127.0.0.1 localhost box"])
        #expect(view.everything("content", "/etc/single") == ["a single file"])
        #expect(view.everything("content", "/ro/readme") == ["read only"])
        #expect(view.everything("content", "/merged/base") == ["from the lower layer"])
        #expect(view.about("write", "/ro/new") == "EROFS")
        #expect(view.about("write", "/usr/new") == "EROFS")
        #expect(view.about("write", "/rw/new") == "ok")
        #expect(view.about("write", "/scratch/new") == "ok")
        #expect(view.about("write", "/merged/new") == "ok")
        #expect(view.about("ls", "/data/deep/down") == nil)
        // The read-write bind reached the host; the overlay's lower layer did not change.
        #expect(FileManager.default.fileExists(atPath: data.path + "/rw/new"))
        #expect(!FileManager.default.fileExists(atPath: data.path + "/lower/new"))
    }

    @Test func procDevAndMaskedPaths() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        var sandbox = Sandbox()
        sandbox.filesystem = probeFilesystem()
        let (result, view) = try await sandbox.probe([
            "ls", "/proc", "ls", "/dev", "pty", "read", "/proc/kcore", "read", "/proc/keys", "read", "/proc/timer_list",
            "ls", "/sys/firmware", "write", "/proc/sys/kernel/hostname", "write", "/proc/sysrq-trigger",
        ])
        #expect(result.termination.isSuccess, "\(result.standardError)")
        // Only the sandbox's processes: the init (1) and the probe (2).
        let pids = view.everything("entry", "/proc").filter { $0.allSatisfy(\.isNumber) }.sorted()
        #expect(pids == ["1", "2"])
        #expect(Set(view.everything("entry", "/dev")) == ["null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx", "shm",
                                                 "fd", "stdin", "stdout", "stderr"])
        #expect(view["pty"]?.hasPrefix("ok /dev/pts/") == true)
        for masked in ["/proc/kcore", "/proc/keys", "/proc/timer_list"] where FileManager.default.fileExists(atPath: masked) {
            #expect(view.about("read", masked) == "ok 0", "\(masked) is not masked")
        }
        #expect(view.everything("entry", "/sys/firmware").isEmpty)
        #expect(view.about("write", "/proc/sys/kernel/hostname") == "EROFS")
        if FileManager.default.fileExists(atPath: "/proc/sysrq-trigger") {
            #expect(view.about("write", "/proc/sysrq-trigger") == "EROFS")
        }
    }
}

/// The "run this tool safely" preset.
@Suite struct HostReadOnlyTests {
    @Test func hostFilesAreReadOnlyAndScratchIsPrivate() async throws {
        guard TestEnvironment.hasRoot(for: "mounting inside a sandbox") else { return }
        var sandbox = Sandbox()
        sandbox.filesystem = .hostReadOnly
        // The probe stays visible even when the build lies below /tmp.
        let products = FilePath(TestEnvironment.productsDirectory)
        sandbox.filesystem?.mounts.append(.bind(products, to: products))
        let marker = "/tmp/rootfs-host-read-only-\(getpid())"
        let (result, view) = try await sandbox.probe([
            "write", "/etc/rootfs-test", "write", marker, "read", marker, "ls", "/proc", "ls", "/dev", "read", "/etc/hostname",
        ])
        #expect(result.termination.isSuccess, "\(result.standardError)")
        #expect(view.about("write", "/etc/rootfs-test") == "EROFS")
        #expect(view.about("write", marker) == "ok")
        #expect(view.everything("content", marker) == ["written"])
        #expect(!FileManager.default.fileExists(atPath: marker), "the sandbox's /tmp reached the host")
        #expect(view.everything("entry", "/proc").filter { $0.allSatisfy(\.isNumber) }.sorted() == ["1", "2"])
        #expect(view.everything("entry", "/dev").contains("pts"))
        #expect(!view.everything("entry", "/dev").contains("sda"))
        #expect(view.about("read", "/etc/hostname")?.hasPrefix("ok") == true)
    }
}

/// Without a user namespace (root on the host) the same mounts work.
@Suite struct PrivilegedMountTests {
    @Test func mountsWithoutAUserNamespace() async throws {
        guard TestEnvironment.hasRoot(for: "mounting without a user namespace") else { return }
        var sandbox = Sandbox()
        sandbox.namespaces = [.mount, .pid, .ipc, .uts]
        sandbox.filesystem = probeFilesystem([.mqueue(), .file("/etc/passwd", contents: "root:x:0:0::/:/bin/sh\n")])
        let (result, view) = try await sandbox.probe(["ls", "/proc", "ls", "/dev", "pty", "read", "/etc/passwd", "write", "/usr/x"])
        #expect(result.termination.isSuccess, "\(result.standardError)")
        #expect(view.everything("entry", "/proc").filter { $0.allSatisfy(\.isNumber) }.sorted() == ["1", "2"])
        #expect(Set(view.everything("entry", "/dev")) == ["null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx", "shm",
                                                           "fd", "stdin", "stdout", "stderr", "mqueue"])
        #expect(view["pty"]?.hasPrefix("ok /dev/pts/") == true)
        #expect(view.everything("content", "/etc/passwd") == ["root:x:0:0::/:/bin/sh"])
        #expect(view.about("write", "/usr/x") == "EROFS")
    }
}
