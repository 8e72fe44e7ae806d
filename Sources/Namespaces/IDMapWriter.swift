import ContainmentSupport
import Glibc

extension UserNamespaceMapping {
    /// Writes the uid and gid maps of the new user namespace of `pid` (the
    /// parent's part of user_namespaces(7)): directly as root; directly with
    /// setgroups denied for an unprivileged caller's self-mapping; through
    /// newuidmap(1) and newgidmap(1) otherwise.
    package func write(toProcess pid: Int32) throws(NamespaceError) {
        let host = HostIdentity.currentUser
        if host.uid == 0 {
            try writeMap(pid, "uid_map", uids)
            try writeMap(pid, "gid_map", gids)
        } else if isSelfMapping(for: host) {
            try writeMap(pid, "setgroups", nil)
            try writeMap(pid, "uid_map", uids)
            try writeMap(pid, "gid_map", gids)
        } else {
            try runHelper("newuidmap", pid, uids)
            try runHelper("newgidmap", pid, gids)
        }
    }

    private func writeMap(_ pid: Int32, _ file: String, _ ranges: [IDMapRange]?) throws(NamespaceError) {
        let contents = ranges.map { $0.map { "\($0)\n" }.joined() } ?? "deny"
        do {
            try writeText("/proc/\(pid)/\(file)", contents)
        } catch {
            throw NamespaceError(.idMapRefused, field: file == "gid_map" ? "user.gids" : "user.uids",
                                 "write \(file): \(errnoName(error.rawValue))\(remedy(for: error.rawValue))")
        }
    }

    private func runHelper(_ tool: String, _ pid: Int32, _ ranges: [IDMapRange]) throws(NamespaceError) {
        let field = tool == "newuidmap" ? "user.uids" : "user.gids"
        let arguments = [tool, String(pid)] + ranges.flatMap { [String($0.inside), String($0.outside), String($0.count)] }
        let status = runAndWait(arguments)
        guard status == 0 else {
            let why = status < 0 ? "\(tool) could not be started (\(errnoName(-status))); install the uidmap package"
                : "\(tool) exited with status \(status); the ranges must be allowed for this user in /etc/sub\(tool == "newuidmap" ? "uid" : "gid")"
            throw NamespaceError(.idMapRefused, field: field, why)
        }
    }

    private func remedy(for error: Int32) -> String {
        guard error == EPERM else { return "" }
        if (try? readText("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"))?.hasPrefix("1") == true {
            return " — user namespaces are restricted on this host (AppArmor); set kernel.apparmor_restrict_unprivileged_userns=0 or run with an AppArmor profile that allows userns"
        }
        return " — the caller may map only its own uid and gid unless it is root or listed in /etc/subuid and /etc/subgid"
    }
}

/// Runs `arguments` (found on PATH) and waits for exactly that child.
/// Returns its exit status, or a negated errno when it could not start.
private func runAndWait(_ arguments: [String]) -> Int32 {
    var pid: pid_t = 0
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let spawned = posix_spawnp(&pid, arguments[0], nil, nil, argv, environ)
    if spawned != 0 { return -spawned }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}
