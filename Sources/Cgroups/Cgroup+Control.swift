import Glibc

extension Cgroup {
    /// Stops every process of the cgroup until ``thaw()`` (cgroup.freeze on
    /// cgroup2, freezer.state on v1); returns once the kernel reports the
    /// cgroup frozen. A freeze that cannot complete within 5 s is undone
    /// and throws.
    public func freeze() throws(CgroupError) {
        try whileLive { () throws(CgroupError) in
            state.withLock { $0.matchesPlan = false }
            try setFrozen(true)
        }
    }

    /// Lets the processes of a frozen cgroup run again.
    public func thaw() throws(CgroupError) {
        try whileLive { () throws(CgroupError) in
            state.withLock { $0.matchesPlan = false }
            try setFrozen(false)
        }
    }

    /// True while the cgroup is frozen (cgroup.events "frozen"; v1 freezer.state).
    public var isFrozen: Bool {
        (try? whileLive { () throws(CgroupError) in frozenState }) ?? false
    }

    var frozenState: Bool {
        if let unifiedDirectory {
            return ((try? keyedValues(unifiedDirectory + "/cgroup.events"))?["frozen"] ?? 0) == 1
        }
        guard let freezer = legacyDirectory(.freezer) else { return false }
        return (try? Self.readFile(freezer + "/freezer.state"))?.trimmingSuffixNewline == "FROZEN"
    }

    /// Freezes or thaws and waits until the kernel reports it done. A freeze
    /// that does not complete within 5 s (a task in a wait the freezer cannot
    /// interrupt, such as some network file system calls) is undone before
    /// the error: a cgroup left freezing would hold its other tasks, and
    /// every SIGKILL sent to them, until someone thawed it.
    func setFrozen(_ frozen: Bool) throws(CgroupError) {
        let path: String, values: (frozen: String, thawed: String)
        if let unifiedDirectory {
            (path, values) = (unifiedDirectory + "/cgroup.freeze", ("1", "0"))
        } else if let freezer = legacyDirectory(.freezer) {
            (path, values) = (freezer + "/freezer.state", ("FROZEN", "THAWED"))
        } else {
            throw CgroupError(.unsupportedLimit, field: "freeze", "this host has neither cgroup2 nor the v1 freezer controller; mount the freezer controller")
        }
        let value = frozen ? values.frozen : values.thawed
        try Self.writeFile(path, value, field: "freeze")
        // Freezing completes asynchronously: wait until every task stopped.
        let deadline = ContinuousClock.now + .seconds(5)
        while frozenState != frozen {
            if ContinuousClock.now > deadline {
                if frozen { try? Self.writeFile(path, values.thawed, field: "freeze") }
                throw CgroupError(.operationFailed, field: "freeze", "\(path) did not reach \(value) within 5 s")
            }
            usleep(500)
        }
    }

    /// Kills every process of the cgroup with SIGKILL, including daemons
    /// that left their parents: cgroup.kill where the kernel has it (5.14+),
    /// else freeze, SIGKILL each member, thaw — so no member can fork
    /// between listing and killing. The processes are gone shortly after.
    public func kill() throws(CgroupError) {
        try whileLive { () throws(CgroupError) in try killMembers() }
    }

    func killMembers() throws(CgroupError) {
        if let unifiedDirectory, access(unifiedDirectory + "/cgroup.kill", F_OK) == 0 {
            try Self.writeFile(unifiedDirectory + "/cgroup.kill", "1", field: "kill")
            return
        }
        let frozen = (try? setFrozen(true)) != nil
        defer { if frozen { try? setFrozen(false) } }
        // Without a freezer, repeat until no member is left to fork.
        for _ in 0..<(frozen ? 1 : 100) {
            let members = try members()
            if members.isEmpty { break }
            for pid in members { _ = Glibc.kill(pid, SIGKILL) }
        }
    }
}
