import ArgumentParser
import Containment
import Glibc

/// --uid, --gid, --groups, --setenv, --unsetenv, --inherit-env, --chdir, --as-pid-1.
struct ProcessOptions: ParsableArguments {
    @Option(help: "uid of the payload inside the sandbox (in a user namespace, mapped to your own uid). Default: 0 in a user namespace, else yours.")
    var uid: UInt32?

    @Option(help: "gid of the payload inside the sandbox. Default: the --uid value.")
    var gid: UInt32?

    @Option(help: ArgumentHelp("Supplementary groups, comma-separated gids (needs root on the host in a user namespace).", valueName: "GIDS"))
    var groups: String?

    @Option(help: ArgumentHelp("Set VAR to VALUE in the payload's environment (repeatable).", valueName: "VAR VALUE"))
    var setenv: [String] = []

    @Option(help: ArgumentHelp("Remove VAR from the payload's environment (repeatable).", valueName: "VAR"))
    var unsetenv: [String] = []

    @Flag(help: "Start from this process's environment instead of a clean one (PATH and HOME=/).")
    var inheritEnv = false

    @Option(help: ArgumentHelp("Working directory of the payload, inside the sandbox.", valueName: "DIR"))
    var chdir: String?

    @Flag(name: .customLong("as-pid-1"), help: "Run the payload as pid 1 of its pid namespace instead of under the minimal init.")
    var asPid1 = false

    /// Sets identity, id maps, environment, working directory and init.
    func apply(to sandbox: inout Sandbox) throws {
        if uid != nil || gid != nil || groups != nil {
            let uid = uid ?? 0
            let gid = gid ?? uid
            var list: [UInt32] = []
            for text in (groups ?? "").split(separator: ",") {
                guard let value = UInt32(text.trimmingSpaces) else {
                    throw CommandLineError("--groups: \"\(text)\" is not a gid; give numbers separated by commas")
                }
                list.append(value)
            }
            sandbox.identity = Identity(uid: uid, gid: gid, groups: list)
            if sandbox.namespaces.contains(.user) {
                sandbox.user = UserNamespaceMapping(uids: [IDMapRange(inside: uid, outside: geteuid())],
                                                    gids: [IDMapRange(inside: gid, outside: getegid())])
            }
        }
        var variables: [String: String?] = [:]
        for (name, value) in try PairedOptions.pairs(setenv, flag: "--setenv", names: "VAR VALUE") { variables[name] = value }
        for name in unsetenv { variables[name] = .some(nil) }
        sandbox.environment = (inheritEnv ? Environment.inherit : .clean).updating(variables)
        sandbox.workingDirectory = chdir.map { FilePath($0) }
        if asPid1 { sandbox.initProcess = .payload }
    }
}
