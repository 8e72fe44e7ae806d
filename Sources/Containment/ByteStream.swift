import CContainment
import ContainmentSupport
import Glibc
import Synchronization
import SystemPackage

/// The read end of a pipe from the payload, as an async sequence of byte
/// chunks, read through the shared event loop. Owns its descriptor.
public final class ByteStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    private let fd: Int32

    init(taking fd: FileDescriptor) {
        self.fd = fd.rawValue
        _ = fcntl(self.fd, F_SETFL, fcntl(self.fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    /// Reads the next chunk; nil at end-of-file.
    func nextChunk() async throws(Errno) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 { return Array(buffer[0..<count]) }
            if count == 0 { return nil }
            switch Errno(rawValue: errno) {
            case .interrupted: continue
            case .wouldBlock: try await EventLoop.shared().waitUntilReadable(fd)
            case let error: throw error
            }
        }
    }

    /// Reads to end-of-file, keeping at most `limit` bytes.
    public func collect(limit: Int = .max) async throws -> [UInt8] {
        try await collect(limit: limit, overflowed: {}).bytes
    }

    /// Reads to end-of-file, keeping the first `limit` bytes and counting the
    /// rest; `overflowed` is called once, when the first byte beyond them
    /// arrives.
    func collect(limit: Int, overflowed: () -> Void) async throws -> (bytes: [UInt8], dropped: Int) {
        var bytes: [UInt8] = [], dropped = 0
        while let chunk = try await nextChunk() {
            let kept = Swift.min(chunk.count, limit - bytes.count)
            bytes += chunk.prefix(kept)
            if kept < chunk.count {
                if dropped == 0 { overflowed() }
                dropped += chunk.count - kept
            }
        }
        return (bytes, dropped)
    }

    /// Iterates the chunks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: ByteStream
        public mutating func next() async throws -> [UInt8]? { try await stream.nextChunk() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}

/// The write end of a pipe to the payload's standard input. Owns its descriptor.
public final class ByteSink: Sendable {
    private struct State {
        var fd: Int32?
        /// Writes in progress: the descriptor stays open until they return.
        var writers = 0
        var finishing = false
    }

    private let state: Mutex<State>

    init(taking descriptor: FileDescriptor) {
        _ = fcntl(descriptor.rawValue, F_SETFL, fcntl(descriptor.rawValue, F_GETFL) | O_NONBLOCK)
        state = Mutex(State(fd: descriptor.rawValue))
    }

    deinit { finish() }

    /// Writes all of `bytes`, waiting while the pipe is full. Throws EPIPE when
    /// the payload closed its end (never raising SIGPIPE in the host), EBADF
    /// after `finish()`.
    public func write(_ bytes: [UInt8]) async throws {
        let fd = try state.withLock { state throws(Errno) -> Int32 in
            guard !state.finishing, let fd = state.fd else { throw .badFileDescriptor }
            state.writers += 1
            return fd
        }
        defer { closeIfFinished { $0.writers -= 1 } }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { cn_write_without_sigpipe(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count >= 0 { offset += count; continue }
            switch Errno(rawValue: Int32(-count)) {
            case .interrupted: continue
            case .wouldBlock: try await EventLoop.shared().waitUntilWritable(fd)
            case let error: throw error
            }
        }
    }

    /// Writes `text` as UTF-8.
    public func write(_ text: String) async throws { try await write(Array(text.utf8)) }

    /// Closes the pipe so the payload reads end-of-file: at once, or when
    /// the writes in progress have returned (so that none of them writes to
    /// a descriptor number the host has reused meanwhile).
    public func finish() {
        closeIfFinished { $0.finishing = true }
    }

    /// Applies `change`, then closes the descriptor if finishing and no
    /// write is in progress.
    private func closeIfFinished(_ change: (inout State) -> Void) {
        let fd = state.withLock { state -> Int32? in
            change(&state)
            guard state.finishing, state.writers == 0, let fd = state.fd else { return nil }
            state.fd = nil
            return fd
        }
        fd.map { _ = close($0) }
    }
}
