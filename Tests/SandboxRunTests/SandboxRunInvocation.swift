import Foundation
import TestSupport

/// One run of the built sandbox-run binary, as a user's shell would start it.
struct SandboxRunInvocation {
    /// The pid sandbox-run ran as.
    let pid: Int32
    /// Exit status of sandbox-run itself.
    let status: Int32
    /// What it printed on standard output.
    let standardOutput: String
    /// What it printed on standard error.
    let standardError: String

    /// The path of the built binary, next to the test bundle.
    static var binary: String { TestEnvironment.helper("sandbox-run") }

    /// Runs `sandbox-run arguments...` (optionally through `prefix`, e.g. a
    /// setpriv command line) and waits for it to exit. With `signal`, sends
    /// sandbox-run that signal once its standard output contains `after`.
    ///
    /// The waiting happens on a thread of its own, never on the cooperative
    /// pool: tests of the same process spawn sandboxes whose parent side
    /// needs the pool, and their children briefly hold copies of every
    /// descriptor of this process. Output goes to files, not pipes, so the
    /// result depends on sandbox-run's exit only, not on every copy of a
    /// pipe's write end being closed.
    static func run(_ arguments: [String], prefix: [String] = [], environment: [String: String]? = nil,
                    signal: (number: Int32, after: String)? = nil) async throws -> SandboxRunInvocation {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    try runBlocking(arguments, prefix: prefix, environment: environment, signal: signal)
                })
            }.start()
        }
    }

    private static func runBlocking(_ arguments: [String], prefix: [String], environment: [String: String]?,
                                    signal: (number: Int32, after: String)?) throws -> SandboxRunInvocation {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-run-test-\(UUID().uuidString)")
        let outputURL = base.appendingPathExtension("out"), errorURL = base.appendingPathExtension("err")
        for url in [outputURL, errorURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        defer { for url in [outputURL, errorURL] { try? FileManager.default.removeItem(at: url) } }
        let output = try FileHandle(forWritingTo: outputURL), error = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? error.close()
        }
        let command = prefix + [binary] + arguments
        let process = try HostProcess(command[0], Array(command.dropFirst()), environment: environment,
                                      standardOutput: output.fileDescriptor, standardError: error.fileDescriptor)
        if let signal {
            func waitFor(_ seconds: Double, _ condition: () -> Bool) {
                let deadline = Date().addingTimeInterval(seconds)
                while Date() < deadline && !condition() { usleep(5_000) }
            }
            waitFor(10) { (try? String(contentsOf: outputURL, encoding: .utf8))?.contains(signal.after) ?? false }
            process.signal(signal.number)
            // A sandbox-run that ignores the signal fails the test, not hangs it.
            waitFor(20) { process.hasExited }
            process.signal(SIGKILL)
        }
        let status = process.wait()
        return SandboxRunInvocation(pid: process.pid, status: status,
                                    standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
                                    standardError: try String(contentsOf: errorURL, encoding: .utf8))
    }

    /// The last line of standard output parsed as a JSON object (--json).
    func json() throws -> [String: Any] {
        let line = standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw JSONError(text: standardOutput)
        }
        return object
    }

    /// The lines of standard output.
    var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }
}

/// --json printed something that is not an object.
struct JSONError: Error, CustomStringConvertible {
    let text: String
    var description: String { "not a JSON object: \(text)" }
}

extension Dictionary where Key == String, Value == Any {
    /// The member object `key`.
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    /// The member `key` as an integer.
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    /// The member `key` as a string.
    func string(_ key: String) -> String? { self[key] as? String }
}

/// A minimal root for the payload: /usr read-only with the merged-/usr
/// links, a fresh /proc, a minimal /dev and a writable /tmp.
let minimalRoot = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
                   "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                   "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
