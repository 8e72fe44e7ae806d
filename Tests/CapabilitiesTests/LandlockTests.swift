import Containment
import Foundation
import Testing
import TestSupport

/// Landlock as the payload meets it: allowed paths and ports work, the rest
/// fails with EACCES.
@Suite struct LandlockTests {
    final class Folders {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("containment-landlock-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            for name in ["readable", "writable", "other"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
                try Data("x".utf8).write(to: root.appendingPathComponent(name + "/file"))
            }
        }
        deinit { try? FileManager.default.removeItem(at: root) }
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
    }

    /// Rules that let the probe run: /usr (with /lib and /bin through their
    /// links), the build products and the Swift runtime the probe links.
    static var runnable: LandlockRuleset {
        // Kernels before ABI 5 (the 6.1 of the CI guest) cannot restrict
        // every right: enforce what they can.
        var rules = LandlockRuleset(compatibility: LandlockABI.current >= fullABI ? .strict : .bestEffort)
        rules.allow(.execute, ["/usr", FilePath(TestEnvironment.productsDirectory)] + swiftRuntime)
        return rules
    }

    /// The first ABI that restricts every filesystem right of the SDK.
    static let fullABI = LandlockABI(rawValue: 5)

    /// The folder of the libswiftCore.so this process mapped, if any.
    static var swiftRuntime: [FilePath] {
        // /proc files have no size: read them to the end rather than by stat.
        let bytes = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() ?? Data()
        let maps = String(decoding: bytes, as: UTF8.self)
        guard let line = maps.split(separator: "\n").first(where: { $0.hasSuffix("/libswiftCore.so") }),
              let slash = line.firstIndex(of: "/") else { return [] }
        return [FilePath(String(line[slash...])).removingLastComponent()]
    }

    @Test func readsAndWritesOutsideTheRulesFailWithEACCES() async throws {
        guard TestEnvironment.hasRoot(for: "a user namespace mapped to root") else { return }
        let folders = try Folders()
        var rules = Self.runnable
        rules.allow(.read, [FilePath(folders.path("readable"))])
        rules.allow(.write, [FilePath(folders.path("writable"))])
        var sandbox = Sandbox()
        sandbox.landlock = rules
        #expect(try sandbox.plan(TestEnvironment.probe).landlock?.abi == LandlockABI.current)
        #expect(try sandbox.plan(TestEnvironment.probe).landlock?.isComplete == (LandlockABI.current >= Self.fullABI))

        let (result, probe) = try await sandbox.probe([
            "open-read", folders.path("readable/file"), "open-read", folders.path("writable/file"), "open-read", folders.path("other/file"),
            "open-write", folders.path("writable/new"), "open-write", folders.path("readable/new"), "open-write", folders.path("other/new"),
        ])
        #expect(result.termination == .exited(0), "\(result.standardError)")
        #expect(probe.all("open-read") == [folders.path("readable/file") + " ok", folders.path("writable/file") + " ok",
                                      folders.path("other/file") + " EACCES"])
        #expect(probe.all("open-write") == [folders.path("writable/new") + " ok", folders.path("readable/new") + " EACCES",
                                       folders.path("other/new") + " EACCES"])
        #expect(FileManager.default.fileExists(atPath: folders.path("writable/new")))
        #expect(!FileManager.default.fileExists(atPath: folders.path("other/new")))
    }

    @Test func tcpPortsOutsideTheRulesFail() async throws {
        guard TestEnvironment.hasRoot(for: "a user namespace mapped to root") else { return }
        var rules = Self.runnable
        rules.tcpBindPorts = [8080]
        rules.tcpConnectPorts = [8080]
        var sandbox = Sandbox()
        sandbox.landlock = rules
        guard LandlockABI.current >= .tcp else {
            // An older kernel: strict is refused, best effort says what is missing.
            rules.compatibility = .strict
            sandbox.landlock = rules
            #expect { _ = try sandbox.plan(TestEnvironment.probe) } throws: { ($0 as? CapabilityError)?.code == .landlockUnsupported }
            rules.compatibility = .bestEffort
            sandbox.landlock = rules
            let report = try sandbox.plan(TestEnvironment.probe).landlock
            #expect(report?.notEnforced.contains { $0.hasPrefix("TCP bind and connect rules") } == true)
            return
        }
        let (_, probe) = try await sandbox.probe(["bind", "8080", "bind", "8081", "connect", "8080", "connect", "9090"])
        #expect(probe.all("bind") == ["8080 ok", "8081 EACCES"])
        // Nothing listens in the sandbox's network namespace: allowed means refused.
        #expect(probe.all("connect") == ["8080 ECONNREFUSED", "9090 EACCES"])
    }
}
