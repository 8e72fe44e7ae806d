import ContainmentSupport
import Glibc
import SystemPackage

/// A host command that tests start beside their sandboxes, with
/// posix_spawn(3) rather than Foundation's `Process`, whose launch scans
/// /proc/self/fd and can read past the end of a directory entry (it crashed
/// this test process when many descriptors were open).
///
/// The child starts as from a shell: no signal blocked, default
/// dispositions, standard input /dev/null, no descriptor above 2. It stays
/// unreaped until ``wait()``, so its pid names it until then (signals never
/// reach a stranger that reused the pid).
public final class HostProcess {
    /// The child's pid.
    public let pid: pid_t
    private var status: Int32?

    /// Starts `executable` with `arguments` (argv[1...]); standard output and
    /// error go to the given descriptors (the caller's to close), else
    /// /dev/null. `environment` nil inherits this process's.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                standardOutput: Int32? = nil, standardError: Int32? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (target, source) in [(Int32(1), standardOutput), (2, standardError)] {
            if let source {
                posix_spawn_file_actions_adddup2(&actions, source, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }
        _ = addCloseFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = envp.map { posix_spawn(&child, executable, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw HostProcessError(command: executable, errno: result) }
        pid = child
    }

    /// Sends `signal` (kill(2)); the child is not reaped before ``wait()``.
    public func signal(_ signal: Int32) {
        if status == nil { kill(pid, signal) }
    }

    /// Whether the child has exited (waitpid(2) with WNOHANG, which reaps it).
    public var hasExited: Bool {
        if status == nil { reap(options: WNOHANG) }
        return status != nil
    }

    /// Waits for the child and returns its exit code, or 128 + the signal
    /// that ended it, as a shell reports it.
    public func wait() -> Int32 {
        while true {
            if let status { return status }
            reap(options: 0)
        }
    }

    private func reap(options: Int32) {
        var raw: Int32 = 0
        let reaped = waitpid(pid, &raw, options)
        if reaped == pid {
            status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        } else if reaped < 0 && errno != EINTR {
            status = -1
        }
    }

    /// Runs a command to its end and returns what it printed on standard
    /// output.
    public static func output(of executable: String, _ arguments: [String]) throws -> String {
        let pipe = try makePipe()
        defer { close(pipe.read.rawValue) }
        let process: HostProcess
        do {
            process = try HostProcess(executable, arguments, standardOutput: pipe.write.rawValue)
        } catch {
            close(pipe.write.rawValue)
            throw error
        }
        close(pipe.write.rawValue)
        let output = Result { () throws(Errno) in try readToEnd(pipe.read.rawValue) }
        _ = process.wait()
        return String(decoding: try output.get(), as: UTF8.self)
    }
}

/// posix_spawn_file_actions_addclosefrom_np(3) (glibc 2.34), which Glibc's
/// module map leaves out: the child closes every descriptor from `from` up.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

/// posix_spawn(3) failed.
public struct HostProcessError: Error, CustomStringConvertible {
    /// The executable that did not start.
    public let command: String
    /// posix_spawn's error number.
    public let errno: Int32
    public var description: String { "\(command): \(String(cString: strerror(errno)))" }
}
