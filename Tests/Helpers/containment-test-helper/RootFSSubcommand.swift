import Containment

/// `rootfs-image [--copy-on-write] IMAGE COMMAND ARGS...`: runs COMMAND in
/// a default sandbox whose root is the image directory IMAGE (`.image`, or
/// `.copyOnWrite` over it: fresh /proc, minimal /dev, private /tmp) and
/// prints its output, then "termination ...". A rejected configuration or
/// failed setup prints "error CODE MESSAGE".
@Sendable func rootfsImageSubcommand(_ arguments: [String]) async throws -> Int32 {
    var arguments = arguments
    let copyOnWrite = arguments.first == "--copy-on-write"
    if copyOnWrite { arguments.removeFirst() }
    guard arguments.count >= 2 else { return 2 }
    var sandbox = Sandbox()
    let image = FilePath(arguments[0])
    sandbox.filesystem = copyOnWrite ? .copyOnWrite(of: image) : .image(image)
    do {
        let result = try await sandbox.run(arguments[1], Array(arguments.dropFirst(2)), output: .string(), error: .string())
        print(result.standardOutput, terminator: "")
        print(result.standardError, terminator: "")
        print("termination \(result.termination)")
    } catch let error as SandboxError {
        print("error \(error.code) \(error)")
    } catch let error as FilesystemError {
        print("error \(error.code) \(error)")
    }
    return 0
}
