import Containment
import ContainmentSupport
import Glibc

/// `leak-check COUNT`: spawns COUNT sandboxes of /bin/true, and prints the
/// process's open descriptors, threads and unreaped children before and
/// after, as "fds BEFORE AFTER", "threads ...", "zombies ...".
@Sendable func leakCheckSubcommand(_ arguments: [String]) async throws -> Int32 {
    let count = arguments.first.flatMap { Int($0) } ?? 1000
    let command = try Sandbox().prepare("/bin/true")
    // One spawn first, so the lazily created event loop, spawn threads and
    // init image count as the baseline.
    _ = try await command.run()
    let before = snapshot()
    for _ in 0..<count {
        let result = try await command.run()
        guard result.termination.isSuccess else {
            print("error spawn ended \(result.termination)")
            return 1
        }
    }
    let after = snapshot()
    print("fds \(before.fds) \(after.fds)")
    print("threads \(before.threads) \(after.threads)")
    print("zombies \(before.zombies) \(after.zombies)")
    return 0
}

private func snapshot() -> (fds: Int, threads: Int, zombies: Int) {
    (entries("/proc/self/fd"), entries("/proc/self/task"), zombieChildren())
}

func entries(_ path: String) -> Int {
    guard let entries = directoryEntries(path) else { return -1 }
    return entries.count - (path.hasSuffix("/fd") ? 1 : 0)  // opendir's own descriptor
}

/// Children of this process in state Z, from each thread's children list.
func zombieChildren() -> Int {
    var zombies = 0
    guard let tasks = directoryEntries("/proc/self/task") else { return -1 }
    for tid in tasks.map(\.name) {
        guard let children = try? text("/proc/self/task/\(tid)/children") else { continue }
        for child in children.split(separator: " ") {
            if let stat = try? text("/proc/\(child)/stat"), let close = stat.lastIndex(of: ")"),
               stat[stat.index(close, offsetBy: 2)] == "Z" { zombies += 1 }
        }
    }
    return zombies
}

func text(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else { throw Errno(rawValue: errno) }
    defer { fclose(file) }
    var contents = ""
    var buffer = [CChar](repeating: 0, count: 4096)
    while fgets(&buffer, Int32(buffer.count), file) != nil {
        contents += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    return contents
}
