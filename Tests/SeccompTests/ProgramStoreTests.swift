import Containment
import ContainmentSupport
import Glibc
import Seccomp
import TestSupport
import Testing

/// Compiled programs kept on disk: compiled once, loaded afterwards, and
/// nothing loaded that another user could have written.
@Suite struct ProgramStoreTests {
    /// A fresh directory for one test's store, removed afterwards.
    private static func withStore(_ body: (SeccompProgramStore, String) throws -> Void) throws {
        var template = Array("/tmp/containment-store-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let root = try #require(made.map { String(cString: $0) })
        defer { _ = system("rm -rf '\(root)'") }
        try body(SeccompProgramStore(directory: FilePath(root + "/cache/seccomp")), root + "/cache/seccomp")
    }

    private static func filter(_ store: SeccompProgramStore) -> SeccompFilter {
        var filter = SeccompFilter.defaultProfile()
        filter.add("acct", .errno(Int32(getpid() % 4000) + 2))  // this process's own filter
        filter.programStore = store
        return filter
    }

    private static func files(_ directory: String) -> [String] {
        (directoryEntries(directory) ?? []).map(\.name)
    }

    @Test func aSecondProcessLoadsInsteadOfCompiling() throws {
        try Self.withStore { store, directory in
            let first = Self.filter(store)
            let compiled = try first.program(.supervised)
            #expect(first.compilationCount == 1)
            let stored = Self.files(directory)
            #expect(stored.count == 1 && stored[0].hasSuffix(".bpf"), "\(stored)")
            var mode = stat()
            stat(directory, &mode)
            #expect(mode.st_mode & 0o777 == 0o700)

            // A fresh value, as in another process: the bytes come from disk.
            let second = Self.filter(store)
            let loaded = try second.program(.supervised)
            #expect(second.compilationCount == 0)
            #expect(loaded == compiled)
            // Another variant or another filter is another program.
            _ = try second.program(.plain)
            #expect(second.compilationCount == 1)
            #expect(Self.files(directory).count == 2)
        }
    }

    @Test func filesOthersCouldWriteAreIgnored() throws {
        try Self.withStore { store, directory in
            _ = try Self.filter(store).program(.supervised)
            let file = directory + "/" + Self.files(directory)[0]
            chmod(file, 0o666)
            let tampered = Self.filter(store)
            _ = try tampered.program(.supervised)
            #expect(tampered.compilationCount == 1, "a group- or world-writable program was loaded")
        }
    }

    @Test func filesOfAnotherUserAreIgnored() throws {
        guard TestEnvironment.hasRoot(for: "chown of a stored program") else { return }
        try Self.withStore { store, directory in
            _ = try Self.filter(store).program(.supervised)
            let file = directory + "/" + Self.files(directory)[0]
            chown(file, 65534, 65534)
            let foreign = Self.filter(store)
            _ = try foreign.program(.supervised)
            #expect(foreign.compilationCount == 1, "a program of another user was loaded")
        }
    }

    @Test func aTruncatedFileIsIgnored() throws {
        try Self.withStore { store, directory in
            let program = try Self.filter(store).program(.supervised)
            let file = directory + "/" + Self.files(directory)[0]
            truncate(file, 12)
            let reloaded = Self.filter(store)
            #expect(try reloaded.program(.supervised) == program)
            #expect(reloaded.compilationCount == 1)
        }
    }

    @Test func aStoredProgramFiltersASandbox() async throws {
        try await Self.withStoreAsync { store in
            var sandbox = Sandbox()
            var filter = SeccompFilter(defaultAction: .allow)
            filter.add(["mkdir", "mkdirat"], .errno(EPERM))
            filter.programStore = store
            _ = try filter.program(.supervised)
            var fresh = filter
            fresh.rules = filter.rules  // a new value with an empty in-memory cache
            sandbox.seccomp = fresh
            let result = try await sandbox.run("/bin/sh", ["-c", "mkdir /tmp/x-$$ 2>&1; echo status $?"], output: .string())
            #expect(fresh.compilationCount == 0)
            #expect(result.standardOutput.contains("Operation not permitted"), "\(result.standardOutput)")
        }
    }

    private static func withStoreAsync(_ body: (SeccompProgramStore) async throws -> Void) async throws {
        var template = Array("/tmp/containment-store-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let root = try #require(made.map { String(cString: $0) })
        defer { _ = system("rm -rf '\(root)'") }
        try await body(SeccompProgramStore(directory: FilePath(root + "/seccomp")))
    }

    @Test func theUserStoreFollowsXDG() {
        #expect(SeccompProgramStore.user != nil)
    }
}
