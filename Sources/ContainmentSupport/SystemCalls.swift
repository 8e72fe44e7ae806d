import CContainment
import CContainment
import Glibc
import SystemPackage

/// Runs a libc call that returns -1 and sets errno on failure, retrying on
/// EINTR; returns its result or throws the `Errno`.
@discardableResult
package func retryingInterrupts<T: BinaryInteger>(_ call: () -> T) throws(Errno) -> T {
    while true {
        let result = call()
        if result != -1 { return result }
        let error = Errno(rawValue: errno)
        if error != .interrupted { throw error }
    }
}

/// Creates a pipe with both ends close-on-exec (pipe2(2) with O_CLOEXEC).
package func makePipe() throws(Errno) -> (read: FileDescriptor, write: FileDescriptor) {
    var fds: [Int32] = [-1, -1]
    let result = cn_pipe_cloexec(&fds)
    if result < 0 { throw Errno(rawValue: -result) }
    return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
}

/// open(2) with O_CLOEXEC added, retrying on EINTR.
package func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(Errno) -> Int32 {
    while true {
        let fd = open(path, flags | O_CLOEXEC, mode)
        if fd >= 0 { return fd }
        if errno != EINTR { throw Errno(rawValue: errno) }
    }
}

/// Opens `path` for reading and returns its whole contents.
package func readFile(_ path: String, limit: Int = 1 << 20) throws(Errno) -> [UInt8] {
    let fd = try openFile(path, O_RDONLY)
    defer { close(fd) }
    return try readToEnd(fd, limit: limit)
}

/// Reads `fd` (blocking) to end-of-file, or until `limit` bytes or more
/// were read; read(2) retried on EINTR. From `offset`, when given, with
/// pread(2), for regular and control files: the descriptor's own position
/// stays, a control file read from 0 again shows its current contents, and
/// a short read is the end (no second call to learn it).
package func readToEnd(_ fd: Int32, limit: Int = .max, offset: off_t? = nil) throws(Errno) -> [UInt8] {
    try withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { (chunk) throws(Errno) -> [UInt8] in
        var contents: [UInt8] = []
        while contents.count < limit {
            let count = offset.map { pread(fd, chunk.baseAddress, chunk.count, $0 + off_t(contents.count)) } ?? read(fd, chunk.baseAddress, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            if count == 0 { break }
            contents.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            if offset != nil && count < chunk.count { break }
        }
        return contents
    }
}

/// Reads a text file (a /proc or /sys entry) as a string.
package func readText(_ path: String) throws(Errno) -> String {
    String(decoding: try readFile(path), as: UTF8.self)
}

/// The entries of `directory` (readdir(3)) without "." and "..", each with
/// whether it is a directory (d_type; DT_UNKNOWN counts as not); nil when
/// the directory cannot be opened.
package func directoryEntries(_ directory: String) -> [(name: String, isDirectory: Bool)]? {
    guard let stream = opendir(directory) else { return nil }
    defer { closedir(stream) }
    var entries: [(name: String, isDirectory: Bool)] = []
    while let entry = readdir(stream) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { entries.append((name, entry.pointee.d_type == UInt8(DT_DIR))) }
    }
    return entries
}

/// Writes `contents` to an existing file with one write(2), as control files
/// of /proc and /sys expect.
package func writeText(_ path: String, _ contents: String) throws(Errno) {
    let fd = try openFile(path, O_WRONLY)
    defer { close(fd) }
    try writeText(to: fd, contents)
}

/// ``writeText(_:_:)`` to an open descriptor.
package func writeText(to fd: Int32, _ contents: String) throws(Errno) {
    let bytes = Array(contents.utf8)
    var written: Int
    repeat {
        written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    } while written < 0 && errno == EINTR
    if written < 0 { throw Errno(rawValue: errno) }
    if written != bytes.count { throw Errno.ioError }
}

/// The short symbolic name of an errno ("ENOENT"), for error messages.
package func errnoName(_ code: Int32) -> String {
    let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO",
        ENXIO: "ENXIO", E2BIG: "E2BIG", ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD",
        EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY",
        EEXIST: "EEXIST", EXDEV: "EXDEV", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR",
        EINVAL: "EINVAL", ENFILE: "ENFILE", EMFILE: "EMFILE", ENOTTY: "ENOTTY", ETXTBSY: "ETXTBSY",
        EFBIG: "EFBIG", ENOSPC: "ENOSPC", EROFS: "EROFS", EMLINK: "EMLINK", EPIPE: "EPIPE",
        ERANGE: "ERANGE", ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS", ELOOP: "ELOOP",
        ENOTEMPTY: "ENOTEMPTY", EOPNOTSUPP: "EOPNOTSUPP", EAFNOSUPPORT: "EAFNOSUPPORT",
        EADDRINUSE: "EADDRINUSE", ECONNREFUSED: "ECONNREFUSED", ENETUNREACH: "ENETUNREACH",
        ETIMEDOUT: "ETIMEDOUT", EUSERS: "EUSERS", EDQUOT: "EDQUOT",
    ]
    return names[code] ?? "errno \(code)"
}
