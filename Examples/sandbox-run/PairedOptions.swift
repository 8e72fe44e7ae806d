/// bubblewrap's two-value flags (`--ro-bind SRC DEST`) for
/// swift-argument-parser, whose options take one value each: before
/// parsing, `--ro-bind SRC DEST` becomes `--ro-bind=SRC --ro-bind=DEST`, so
/// the option collects its values in pairs; every other option's value is
/// attached the same way (`--time-limit=-1`), so values may start with "-".
/// The rewrite stops at the command (the first argument that is neither an
/// option nor an option's value) and at "--".
enum PairedOptions {
    /// Flags taking two values.
    static let pairs: Set<String> = ["--ro-bind", "--bind", "--symlink", "--overlay", "--setenv"]

    /// Options that take no value; every other option takes one.
    static let flags: Set<String> = [
        "--json", "--dry-run", "--check", "--version", "--help", "-h", "--help-hidden",
        "--host-readonly", "--rw-root", "--no-masks", "--inherit-env", "--as-pid-1", "--landlock-best-effort",
        "--allow-new-privileges",
    ]

    /// `arguments` with each two-value flag split into two single-value
    /// ones, and the order of the mount flags among them (one entry per
    /// mount), which the parsed options, collected per flag, no longer have.
    static func normalize(_ arguments: [String]) -> (arguments: [String], mountOrder: [String]) {
        var result: [String] = []
        var order: [String] = []
        var halves: [String: Int] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" || !argument.hasPrefix("-") || argument == "-" { break }
            if pairs.contains(argument) && index + 2 < arguments.count {
                if FilesystemOptions.mountFlags.contains(argument) { order.append(argument) }
                result += ["\(argument)=\(arguments[index + 1])", "\(argument)=\(arguments[index + 2])"]
                index += 3
                continue
            }
            let name = String(argument.prefix { $0 != "=" })
            if FilesystemOptions.mountFlags.contains(name) {
                if pairs.contains(name) {
                    // "--ro-bind=SRC --ro-bind=DEST" written out: one mount per two.
                    if halves[name, default: 0] % 2 == 0 { order.append(name) }
                    halves[name, default: 0] += 1
                } else {
                    order.append(name)
                }
            }
            index += 1
            if argument.hasPrefix("--") && !flags.contains(argument) && !argument.contains("=") && index < arguments.count {
                // "--time-limit -1" as "--time-limit=-1": a value may start with "-".
                result.append("\(argument)=\(arguments[index])")
                index += 1
            } else {
                result.append(argument)
            }
        }
        return (result + arguments[index...], order)
    }

    /// `values` (collected from a two-value flag) as pairs; throws when one
    /// is missing its second value.
    static func pairs(_ values: [String], flag: String, names: String) throws -> [(String, String)] {
        if values.count % 2 != 0 {
            throw CommandLineError("\(flag) takes two values: \(names)")
        }
        return stride(from: 0, to: values.count, by: 2).map { (values[$0], values[$0 + 1]) }
    }
}
