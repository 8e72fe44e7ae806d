import SystemPackage

/// Where a payload's standard input comes from.
public struct InputOption: Sendable {
    enum Kind: Sendable {
        case null
        case inherit
        case fileDescriptor(FileDescriptor)
        case bytes([UInt8])
        case pipe
    }

    let kind: Kind

    /// /dev/null.
    public static let none = InputOption(kind: .null)
    /// The host process's own standard input.
    public static let inherit = InputOption(kind: .inherit)
    /// A descriptor of the caller's; it stays the caller's to close.
    public static func fileDescriptor(_ fd: FileDescriptor) -> InputOption { InputOption(kind: .fileDescriptor(fd)) }
    /// These bytes, then end-of-file.
    public static func bytes(_ bytes: [UInt8]) -> InputOption { InputOption(kind: .bytes(bytes)) }
    /// This text as UTF-8, then end-of-file.
    public static func string(_ text: String) -> InputOption { InputOption(kind: .bytes(Array(text.utf8))) }
    /// A pipe the caller writes through `SandboxProcess.standardInput`.
    public static let pipe = InputOption(kind: .pipe)
}

/// Where a payload's standard output or error goes.
public struct OutputOption: Sendable {
    enum Kind: Sendable {
        case null
        case inherit
        case fileDescriptor(FileDescriptor)
        case collect(OutputCollection)
        case stream
    }

    let kind: Kind

    /// /dev/null.
    public static let discarded = OutputOption(kind: .null)
    /// The host process's own descriptor.
    public static let inherit = OutputOption(kind: .inherit)
    /// A descriptor of the caller's; it stays the caller's to close.
    public static func fileDescriptor(_ fd: FileDescriptor) -> OutputOption { OutputOption(kind: .fileDescriptor(fd)) }
    /// Collected into the result, up to `limit` bytes; `overflow` says what
    /// happens to the rest.
    public static func collected(limit: Int = 1 << 20, overflow: OutputOverflow = .drop) -> OutputOption {
        OutputOption(kind: .collect(OutputCollection(limit: max(0, limit), overflow: overflow)))
    }
    /// Collected into the result; read it as a string with `SandboxResult.standardOutput`.
    public static func string(limit: Int = 1 << 20, overflow: OutputOverflow = .drop) -> OutputOption {
        .collected(limit: limit, overflow: overflow)
    }
    /// An async byte stream on `SandboxProcess.standardOutput` or `.standardError`.
    public static let stream = OutputOption(kind: .stream)
}

/// What a collected stream does with output beyond its limit.
public enum OutputOverflow: Sendable, Hashable {
    /// Read and drop it: the payload runs on, and the result counts the
    /// dropped bytes (`SandboxResult.droppedStandardOutputBytes`).
    case drop
    /// End the sandbox, as a judge's output limit does: every process is
    /// killed and the verdict is `.outputLimit`.
    case endSandbox
}

/// How much of a stream to collect, and what to do with the rest.
struct OutputCollection: Sendable {
    let limit: Int
    let overflow: OutputOverflow
}
