import Containment
import Foundation

/// Host memory per idle sandbox: `count` sandboxes (all namespaces, uid
/// map, the minimal init, payload `sleep`) started by a process alone in a
/// memory cgroup, whose usage before and after is the cost of the
/// sandboxes (their processes, page tables, namespaces, the host's handles).
public enum Density {
    /// The measuring process: the benchmark's own binary, `--density-child`,
    /// started in a fresh cgroup with only a memory limit (so it has the
    /// memory controller), its output passed through.
    public static func run(count: Int, executable: String) async throws {
        var sandbox = Sandbox()
        sandbox.namespaces = []
        sandbox.capabilities = .root(try ProcessCapabilities.current().permitted)
        sandbox.noNewPrivileges = false
        sandbox.environment = .inherit
        sandbox.resources = ResourceLimits(memoryMax: 16 << 30)
        let result = try await sandbox.run(executable, ["--density-child", String(count)], output: .inherit, error: .inherit)
        guard result.termination.isSuccess else { throw DensityError("the measuring process ended \(result.termination)") }
    }

    /// Inside the measuring cgroup: spawn, let the sandboxes settle, read
    /// the usage, count host-side processes, then end every sandbox.
    public static func measure(count: Int) async throws {
        let usageFile = try memoryUsageFile()
        let sandbox = Sandbox()
        let command = try sandbox.prepare("/bin/sleep", ["1000"])
        let warm = try await command.spawn()   // the spawn threads and the event loop exist from here on
        try warm.kill()
        _ = try await warm.wait()
        let before = try usage(usageFile)
        var processes: [SandboxProcess] = []
        for _ in 0..<count { processes.append(try await command.spawn()) }
        try await Task.sleep(for: .milliseconds(500))
        let after = try usage(usageFile)
        let hostSide = hostSideProcesses()
        for process in processes { try process.kill() }
        for process in processes { _ = try await process.wait() }
        let perSandbox = Double(after - before) / Double(count) / 1024
        print("idle sandboxes \(count): \(String(format: "%.1f", perSandbox)) kB each (memory cgroup usage \(before / 1024) → \(after / 1024) kB); host-side processes per sandbox: \(hostSide / count)")
    }

    /// memory.current (v2) or memory.usage_in_bytes (v1) of this process's cgroup.
    static func memoryUsageFile() throws -> String {
        let lines = try readFile("/proc/self/cgroup").split(separator: "\n")
        for line in lines {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[1].split(separator: ",").contains("memory") {
                return "/sys/fs/cgroup/memory\(fields[2])/memory.usage_in_bytes"
            }
            if fields[0] == "0", access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0,
               access("/sys/fs/cgroup\(fields[2])/memory.current", F_OK) == 0 {
                return "/sys/fs/cgroup\(fields[2])/memory.current"
            }
        }
        throw DensityError("this process is in no memory cgroup")
    }

    static func usage(_ file: String) throws -> Int {
        guard let value = Int(try readFile(file).split(separator: "\n").first ?? "") else { throw DensityError("cannot read \(file)") }
        return value
    }

    /// Children of this process that share its pid namespace: processes a
    /// sandbox would keep on the host side (the sandboxes' own are inside).
    static func hostSideProcesses() -> Int {
        guard let children = try? readFile("/proc/self/task/\(getpid())/children") else { return 0 }
        let own = (try? readLink("/proc/self/ns/pid")) ?? ""
        return children.split(separator: " ").filter { (try? readLink("/proc/\($0)/ns/pid")) == own }.count
    }

    static func readFile(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func readLink(_ path: String) throws -> String { try FileManager.default.destinationOfSymbolicLink(atPath: path) }
}

/// The density measurement could not be made.
public struct DensityError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
