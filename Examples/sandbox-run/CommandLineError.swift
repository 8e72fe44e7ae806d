/// A flag value the command line cannot turn into a configuration: names
/// the flag, exits with 125 like every error of sandbox-run's own.
struct CommandLineError: Error, CustomStringConvertible {
    /// What is wrong, starting with the flag.
    let description: String
    init(_ description: String) { self.description = description }
}

/// Which flag each configuration field came from, so that an error of the
/// library ("filesystem.mounts[2].source: ...") names the flag too.
struct FieldOrigins {
    private var origins: [(prefix: String, flag: String)] = [
        ("hostname", "--hostname"), ("namespaces", "--namespaces"), ("user.", "--uid/--gid"),
        ("identity", "--uid/--gid/--groups"), ("workingDirectory", "--chdir"), ("environment", "--setenv"),
        ("memoryMax", "--memory"), ("pidsMax", "--pids"), ("cpuQuota", "--cpus"), ("parent", "--cgroup-parent"),
        ("wallTimeLimit", "--time-limit"), ("resourceLimits", "--cpu-time-limit"), ("capabilities", "--cap-add/--cap-drop"),
        ("filesystem.root", "the root (--root, --root-overlay, --host-readonly)"), ("executable", "the command"),
    ]

    /// Records that fields starting with `prefix` came from `flag`.
    mutating func record(_ prefix: String, _ flag: String) {
        origins.insert((prefix, flag), at: 0)
    }

    /// The flag behind `field`, if known.
    func flag(for field: String) -> String? {
        origins.first { field == $0.prefix || field.hasPrefix($0.prefix + ".") || field.hasPrefix($0.prefix + "[")
            || ($0.prefix.hasSuffix(".") && field.hasPrefix($0.prefix)) }?.flag
    }
}
