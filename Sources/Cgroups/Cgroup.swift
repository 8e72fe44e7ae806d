import ContainmentSupport
import Glibc
import Synchronization
import SystemPackage

/// A cgroup the SDK created: limits, live updates, statistics, events,
/// freeze, kill and removal, on any host shape (pure v2, pure v1, hybrid).
///
/// On a cgroup2 hierarchy the cgroup is one directory (`unifiedDirectory`),
/// into which a child can be cloned (CLONE_INTO_CGROUP); on v1 controllers
/// it is one directory per controller, which a process is attached to by pid.
/// On hybrid hosts both exist: the v2 directory gives membership, freezing
/// (cgroup.freeze), killing (cgroup.kill) and CPU accounting; the v1
/// directories enforce the limits.
///
/// ```swift
/// let cgroup = try Cgroup.create(limits: ResourceLimits(memoryMax: 64 << 20, pidsMax: 32))
/// try cgroup.attach(pid: child)
/// print(try cgroup.statistics())
/// try cgroup.kill()
/// try cgroup.remove()
/// ```
public final class Cgroup: Sendable {
    /// The cgroup's directory name in every hierarchy.
    public let name: String
    /// The host layout the cgroup was made for.
    public let host: CgroupHost
    /// The directory in the cgroup2 hierarchy, if the host has one.
    public let unifiedDirectory: String?
    private let parent: String?
    let state: Mutex<State>

    struct State {
        /// Each v1 controller's directory (co-mounted controllers share one).
        var legacy: [CgroupController: String] = [:]
        /// The distinct v1 directories, in the order they were made.
        var legacyDirectories: [String] = []
        var limits: ResourceLimits
        var removed = false
        /// Public operations running now (see ``whileLive(_:)``).
        var users = 0
        /// False once the cgroup was frozen, thawed or its limits changed:
        /// its directories then no longer match its plan's, and are not recycled.
        var matchesPlan = true
        /// Directories taken over from a finished cgroup of the same plan
        /// (``CgroupRecycler``): they exist and hold the plan's limits.
        var inherited: [String] = []
        /// The inherited directories' counters at take-over, subtracted
        /// from the statistics so that they count this cgroup only.
        var baseline = CgroupStatistics()
        /// Descriptors kept open, by path, so that each spawn does not open
        /// them again: the cgroup2 directory (CLONE_INTO_CGROUP), the v1
        /// directories' cgroup.procs (the attach) and the control files
        /// every result and hand-over reads (with pread(2)). Closed with
        /// their directory, or handed over with it.
        var descriptors: [String: Int32] = [:]
    }

    /// Controllers every cgroup gets where the host has them: they measure
    /// memory and tasks and report OOM kills and pids-limit hits.
    static let measuring: Set<CgroupController> = [.memory, .pids]

    private init(name: String, host: CgroupHost, unifiedDirectory: String?, parent: String?, state: State) {
        self.name = name
        self.host = host
        self.unifiedDirectory = unifiedDirectory
        self.parent = parent
        self.state = Mutex(state)
    }

    deinit {
        _ = try? remove()
    }

    /// Checks, without creating anything, that this host can enforce `limits`
    /// under their parent: every needed controller is mounted (v1) or
    /// available in the parent's cgroup.controllers (v2), and every limit
    /// has an equivalent on the host.
    public static func check(_ limits: ResourceLimits, host: CgroupHost? = nil) throws(CgroupError) {
        try check(limits, placement: Placement(host: try CgroupHost.resolve(host), parent: limits.parent))
    }

    /// Checks `limits` at `placement` and returns the writes that apply them
    /// to a new cgroup.
    @discardableResult
    static func check(_ limits: ResourceLimits, placement: Placement) throws(CgroupError) -> [CgroupFileWrite] {
        try limits.validate()
        for controller in limits.controllers.sorted() where placement.location(controller) == nil {
            throw CgroupError(.unsupportedLimit, field: fieldName(of: controller, in: limits), placement.unavailableMessage(controller))
        }
        return try limits.writes(isUnified: { placement.location($0) == .unified })
    }

    /// Creates a cgroup with `limits` under `limits.parent` (default: the
    /// calling process's own cgroup), enabling controllers in the parent's
    /// cgroup.subtree_control on v2 as needed. The first call for a parent
    /// also removes stale cgroups of dead hosts there (see ``sweepStale(parent:host:)``).
    public static func create(limits: ResourceLimits = ResourceLimits(), host: CgroupHost? = nil) throws(CgroupError) -> Cgroup {
        let plan = try CgroupPlan(limits: limits, host: host)
        try plan.prepareParent()
        return try create(plan: plan)
    }

    /// Creates a cgroup from `plan`, whose parent is prepared
    /// (``CgroupPlan/prepareParent()``): makes its directories and writes
    /// its limits, nothing else (see ``create(limits:host:)``). Directories
    /// `recycled` from a finished cgroup of the same plan are taken over.
    package static func create(plan: CgroupPlan, reusing recycled: RecycledCgroup? = nil) throws(CgroupError) -> Cgroup {
        let cgroup = try createUnified(plan: plan, reusing: recycled)
        do {
            try cgroup.completeCreation(plan: plan)
        } catch {
            _ = try? cgroup.remove()
            throw error
        }
        return cgroup
    }

    /// The first half of ``create(plan:reusing:)``: the cgroup with its
    /// cgroup2 directory only, which is all a child needs to be cloned into
    /// it (on a host without cgroup2, no directory yet).
    package static func createUnified(plan: CgroupPlan, reusing recycled: RecycledCgroup? = nil) throws(CgroupError) -> Cgroup {
        let placement = plan.placement
        var state = State(limits: plan.limits)
        if let recycled {
            state.legacy = recycled.legacy
            // Kept v1 controllers have hierarchies of their own: one directory each.
            state.legacyDirectories = recycled.legacy.values.sorted()
            state.inherited = state.legacyDirectories + [recycled.unifiedDirectory].compactMap { $0 }
            state.baseline = recycled.baseline
            state.descriptors = recycled.descriptors
        }
        let name = recycled?.name ?? CgroupName.next().text
        var unifiedDirectory = recycled?.unifiedDirectory
        if unifiedDirectory == nil, let parentDirectory = placement.unifiedParent {
            let directory = parentDirectory + "/" + name
            try makeDirectory(directory, field: "parent")
            unifiedDirectory = directory
        }
        return Cgroup(name: name, host: placement.host, unifiedDirectory: unifiedDirectory, parent: plan.limits.parent, state: state)
    }

    /// The second half of ``create(plan:reusing:)``: makes the v1
    /// directories and writes the limits, except in inherited directories,
    /// which hold them already. After a failure the cgroup is left for its
    /// owner to remove (a child may be cloning into its cgroup2 directory).
    package func completeCreation(plan: CgroupPlan) throws(CgroupError) {
        for (controller, parentDirectory) in plan.legacyParents where legacyDirectory(controller) == nil {
            try addLegacy(controller, parentDirectory: parentDirectory)
        }
        let inherited = state.withLock { $0.inherited }
        try apply(plan.writes.filter { directory(of: $0.controller).map { !inherited.contains($0) } ?? true }, placement: plan.placement)
        // Opened now, while the child is cloned: the attach writes these,
        // and every result reads the peak.
        for directory in state.withLock({ $0.legacyDirectories }) { _ = try? keepOpen(directory + "/cgroup.procs", flags: O_RDWR) }
        if let peak = peakMemoryFile { _ = try? keepOpen(peak) }
    }

    /// False once the cgroup was removed.
    var exists: Bool { state.withLock { !$0.removed } }

    /// The v1 controllers a cgroup for `limits` gets directories in.
    static func legacyControllers(for limits: ResourceLimits, placement: Placement) -> [CgroupController] {
        var wanted = limits.controllers.union(measuring)
        if placement.unifiedParent == nil { wanted.formUnion([.freezer, CgroupController(rawValue: "cpuacct")]) }
        return wanted.filter { placement.location($0) == .legacy }.sorted()
    }

    /// The limits in force.
    public var limits: ResourceLimits { state.withLock { $0.limits } }

    /// Changes the limits of the running cgroup: fields set are written,
    /// fields that were set and are now nil go back to unlimited. A
    /// controller the cgroup did not use yet is added (on v1 its processes
    /// are moved in while frozen, so none escapes).
    public func update(_ limits: ResourceLimits) throws(CgroupError) {
        try whileLive { () throws(CgroupError) in try change(to: limits) }
    }

    private func change(to limits: ResourceLimits) throws(CgroupError) {
        state.withLock { $0.matchesPlan = false }
        var limits = limits
        limits.parent = parent
        let placement = Placement(host: host, parent: parent)
        try Self.check(limits, placement: placement)
        let previous = self.limits
        let writes = try limits.writes(isUnified: { placement.location($0) == .unified }, previous: previous)
        let missing = limits.controllers.filter { placement.location($0) == .legacy && legacyDirectory($0) == nil }
        if !missing.isEmpty {
            let wasFrozen = frozenState
            try setFrozen(true)
            defer { if !wasFrozen { try? setFrozen(false) } }
            let members = try members()
            for controller in missing.sorted() {
                if let parentDirectory = placement.legacyParent(controller) {
                    try addLegacy(controller, parentDirectory: parentDirectory)
                }
                try apply(writes, placement: placement, only: controller)
                for pid in members { try write(controller, "cgroup.procs", String(pid), field: "pid") }
            }
        }
        try placement.enableUnified(limits.controllers, required: true)
        try apply(writes, placement: placement)
        state.withLock { $0.limits = limits }
    }

    /// A descriptor of the v2 directory for clone3's CLONE_INTO_CGROUP
    /// (opened O_RDONLY | O_DIRECTORY | O_CLOEXEC); nil without a cgroup2 hierarchy.
    public func openUnifiedDirectory() throws(CgroupError) -> FileDescriptor? {
        guard let unifiedDirectory else { return nil }
        return try whileLive { () throws(CgroupError) in
            do throws(Errno) {
                return FileDescriptor(rawValue: try openFile(unifiedDirectory, O_RDONLY | O_DIRECTORY))
            } catch {
                throw CgroupError(.operationFailed, field: "cgroup", "open \(unifiedDirectory): \(errnoName(error.rawValue))")
            }
        }
    }

    /// The cgroup2 directory's descriptor for CLONE_INTO_CGROUP, opened
    /// once and kept with the directory (a recycled directory's comes with
    /// it); nil without a cgroup2 hierarchy. The cgroup closes it.
    package func unifiedDirectoryDescriptor() throws(CgroupError) -> Int32? {
        guard let unifiedDirectory else { return nil }
        return try whileLive { () throws(CgroupError) in try keepOpen(unifiedDirectory) }
    }

    /// True when processes must be attached by pid (v1 controllers); a v2-only
    /// cgroup is entered by cloning into it.
    public var needsAttach: Bool { state.withLock { !$0.legacy.isEmpty } }

    /// Moves process `pid` (all its threads) into the cgroup: writes it to
    /// cgroup.procs of every hierarchy (`legacyOnly`: only the v1 ones, for a
    /// child already cloned into the v2 directory).
    public func attach(pid: Int32, legacyOnly: Bool = false) throws(CgroupError) {
        let text = String(pid)
        try whileLive { () throws(CgroupError) in
            if !legacyOnly, let unifiedDirectory { try Self.writeFile(unifiedDirectory + "/cgroup.procs", text, field: "pid") }
            for directory in state.withLock({ $0.legacyDirectories }) {
                try writeControl(directory + "/cgroup.procs", text, field: "pid")
            }
        }
    }

    /// The pids of the processes in the cgroup (cgroup.procs).
    public func processes() throws(CgroupError) -> [Int32] {
        try whileLive { () throws(CgroupError) in try members() }
    }

    func members() throws(CgroupError) -> [Int32] {
        guard let directory = unifiedDirectory ?? state.withLock({ $0.legacyDirectories.first }) else { return [] }
        return try Self.readFile(directory + "/cgroup.procs").split(separator: "\n").compactMap { Int32($0) }
    }

    /// True while any process is in the cgroup (cgroup.events "populated" on
    /// v2, a non-empty cgroup.procs on v1); false once it was removed.
    public var isPopulated: Bool {
        (try? whileLive { () throws(CgroupError) in populated }) ?? false
    }

    var populated: Bool {
        if let unifiedDirectory, let events = try? keyedValues(unifiedDirectory + "/cgroup.events") {
            return events["populated"] != 0
        }
        return !((try? members()) ?? []).isEmpty
    }

    /// Runs `body` on the live cgroup, and throws once it was removed or
    /// recycled: a handle kept past its sandbox must never reach the next
    /// sandbox of the same plan, which may take over its directories
    /// (``CgroupRecycler``). While `body` runs, the cgroup is not recycled.
    func whileLive<T>(_ body: () throws(CgroupError) -> T) throws(CgroupError) -> T {
        try state.withLock { (state: inout State) throws(CgroupError) in
            guard !state.removed else {
                throw CgroupError(.removed, field: "cgroup", "\(name) was removed when its sandbox ended; control a sandbox's cgroup only while it runs")
            }
            state.users += 1
        }
        defer { state.withLock { $0.users -= 1 } }
        return try body()
    }

    func legacyDirectory(_ controller: CgroupController) -> String? { state.withLock { $0.legacy[controller] } }

    /// Creates the v1 directory of `controller` under `parentDirectory`; a
    /// cpuset gets its parent's CPUs and memory nodes, without which no task
    /// may join.
    private func addLegacy(_ controller: CgroupController, parentDirectory: String) throws(CgroupError) {
        let directory = parentDirectory + "/" + name
        // Co-mounted controllers (cpu,cpuacct) share one directory.
        if !state.withLock({ $0.legacyDirectories.contains(directory) }) {
            try Self.makeDirectory(directory, field: Self.fieldName(of: controller, in: limits))
            state.withLock { $0.legacyDirectories.append(directory) }
        }
        state.withLock { $0.legacy[controller] = directory }
        if controller == .cpuset {
            for file in ["cpuset.cpus", "cpuset.mems"] {
                let inherited = try Self.readFile(parentDirectory + "/" + file).trimmingSuffixNewline
                try write(.cpuset, file, inherited, field: file == "cpuset.cpus" ? "cpus" : "memoryNodes")
            }
        }
    }

    /// Performs `writes` (only `controller`'s when given).
    private func apply(_ writes: [CgroupFileWrite], placement: Placement, only controller: CgroupController? = nil) throws(CgroupError) {
        for write in writes where controller == nil || write.controller == controller {
            guard let directory = directory(of: write.controller) else { continue }
            var value = write.value
            if value == nil, let parentDirectory = placement.legacyParent(write.controller) {
                value = try Self.readFile(parentDirectory + "/" + write.file).trimmingSuffixNewline
            }
            guard let value else { continue }
            do {
                try writeText(directory + "/" + write.file, value)
            } catch .noSuchFileOrDirectory {
                throw CgroupError(.unsupportedLimit, field: write.field,
                                  "this host's \(write.controller) controller has no \(write.file) (in \(directory)); drop \(write.field) or run on a host whose kernel supports it")
            } catch {
                throw CgroupError(.operationFailed, field: write.field, "write \"\(value)\" to \(directory)/\(write.file): \(errnoName(error.rawValue))")
            }
        }
    }

    /// The directory holding `controller`'s files: its v1 directory where
    /// the host mounts it as v1, else the v2 one.
    func directory(of controller: CgroupController) -> String? {
        host.legacy[controller] != nil ? legacyDirectory(controller) : unifiedDirectory
    }

    private func write(_ controller: CgroupController, _ file: String, _ value: String, field: String) throws(CgroupError) {
        guard let directory = directory(of: controller) else { return }
        try Self.writeFile(directory + "/" + file, value, field: field)
    }

    /// Removes the cgroup's directories (rmdir(2)); when processes are still
    /// in it, kills them and waits (up to two seconds) for the kernel to
    /// empty it. Removing twice is harmless; dropping the last reference to a
    /// `Cgroup` removes it too.
    public func remove() throws(CgroupError) {
        guard let directories = state.withLock({ state -> [String]? in
            defer { state.removed = true }
            return state.removed ? nil : state.legacyDirectories + (unifiedDirectory.map { [$0] } ?? [])
        }) else { return }
        try removeDirectories(directories)
    }

    /// Removes `directories` of the cgroup, which is already marked removed;
    /// when processes are still in it, kills them once and waits for them.
    func removeDirectories(_ directories: [String]) throws(CgroupError) {
        var failure: CgroupError?
        var killed = false
        for directory in directories {
            if rmdir(directory) == 0 || errno == ENOENT { continue }
            // Processes are left: kill them once, then wait for them to go.
            if errno == EBUSY && !killed {
                killed = true
                try? killMembers()
            }
            do { try Self.removeDirectory(directory) } catch { failure = error }
        }
        let closing = state.withLock { state in
            state.legacy = state.legacy.filter { !directories.contains($0.value) }
            state.legacyDirectories.removeAll { directories.contains($0) }
            let paths = state.descriptors.keys.filter { path in directories.contains { path == $0 || path.hasPrefix($0 + "/") } }
            return paths.compactMap { state.descriptors.removeValue(forKey: $0) }
        }
        closing.forEach { _ = close($0) }
        if let failure { throw failure }
    }

    /// rmdir(2) of a cgroup directory, retrying while its last processes
    /// finish exiting (EBUSY); a missing directory counts as removed.
    static func removeDirectory(_ directory: String) throws(CgroupError) {
        let deadline = ContinuousClock.now + .seconds(2)
        while rmdir(directory) != 0 {
            let error = errno
            if error == ENOENT { return }
            if error != EBUSY || ContinuousClock.now > deadline {
                throw CgroupError(.operationFailed, field: "cgroup", "rmdir \(directory): \(errnoName(error))")
            }
            usleep(1000)
        }
    }

    static func makeDirectory(_ directory: String, field: String) throws(CgroupError) {
        guard mkdir(directory, 0o755) != 0 else { return }
        let error = errno
        switch error {
        case EACCES, EPERM, EROFS:
            throw CgroupError(.notDelegated, field: "parent", "mkdir \(directory): \(errnoName(error)); this user may not create cgroups there. Run inside a delegated cgroup (e.g. `systemd-run --user --scope -p Delegate=yes <app>`) or set ResourceLimits.parent to one this user owns")
        default:
            throw CgroupError(.operationFailed, field: field, "mkdir \(directory): \(errnoName(error))")
        }
    }

    /// Writes `value` to the cgroup's control file `path`, through its kept
    /// descriptor when it has one.
    func writeControl(_ path: String, _ value: String, field: String) throws(CgroupError) {
        try Self.writeFile(path, value, field: field, descriptor: state.withLock { $0.descriptors[path] })
    }

    /// Writes `value` to control file `path`, or to `descriptor`, open on it.
    static func writeFile(_ path: String, _ value: String, field: String, descriptor: Int32? = nil) throws(CgroupError) {
        do throws(Errno) {
            if let descriptor { try writeText(to: descriptor, value) } else { try writeText(path, value) }
        } catch {
            throw CgroupError(.operationFailed, field: field, "write \"\(value)\" to \(path): \(errnoName(error.rawValue))")
        }
    }

    static func readFile(_ path: String) throws(CgroupError) -> String {
        do { return try readText(path) } catch {
            throw CgroupError(.operationFailed, field: "cgroup", "read \(path): \(errnoName(error.rawValue))")
        }
    }

    /// The contents of the cgroup's control file `path`, read through its
    /// kept descriptor when it has one (see ``State/descriptors``).
    func contents(_ path: String) throws(CgroupError) -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    /// ``contents(_:)`` as bytes, which the parsers below take apart
    /// without the character-by-character work of `String`.
    private func bytes(_ path: String) throws(CgroupError) -> [UInt8] {
        let fd = state.withLock { $0.descriptors[path] }
        do throws(Errno) {
            if let fd { return try readToEnd(fd, offset: 0) }
            return try ContainmentSupport.readFile(path)
        } catch {
            throw CgroupError(.operationFailed, field: "cgroup", "read \(path): \(errnoName(error.rawValue))")
        }
    }

    /// Opens `path` with `flags` (a control file for ``contents(_:)`` to
    /// read and ``writeControl(_:_:field:)`` to write, or a directory),
    /// once, and returns its descriptor.
    @discardableResult
    func keepOpen(_ path: String, flags: Int32 = O_RDONLY) throws(CgroupError) -> Int32 {
        if let fd = state.withLock({ $0.descriptors[path] }) { return fd }
        do {
            let fd = try openFile(path, flags)
            state.withLock { $0.descriptors[path] = fd }
            return fd
        } catch {
            throw CgroupError(.operationFailed, field: "cgroup", "open \(path): \(errnoName(error.rawValue))")
        }
    }

    /// A control file holding one number (pids.current, memory.peak, ...).
    func integer(_ path: String) throws(CgroupError) -> Int {
        let bytes = try bytes(path)
        let text = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        guard let value = Int(text) else {
            throw CgroupError(.operationFailed, field: "cgroup", "\(path) holds \"\(text)\", not a number")
        }
        return value
    }

    /// A "key value" control file (memory.events, cpu.stat, ...) as a dictionary.
    func keyedValues(_ path: String) throws(CgroupError) -> [String: Int] {
        var values: [String: Int] = [:]
        values.reserveCapacity(8)
        for line in try bytes(path).split(separator: UInt8(ascii: "\n")) {
            let parts = line.split(separator: UInt8(ascii: " "))
            if parts.count == 2, let value = Int(String(decoding: parts[1], as: UTF8.self)) {
                values[String(decoding: parts[0], as: UTF8.self)] = value
            }
        }
        return values
    }

    /// The `ResourceLimits` field that made `controller` necessary, for errors.
    static func fieldName(of controller: CgroupController, in limits: ResourceLimits) -> String {
        switch controller {
        case .memory: limits.memoryMax != nil ? "memoryMax" : limits.memoryHigh != nil ? "memoryHigh" : "swapMax"
        case .cpu: limits.cpuQuota != nil ? "cpuQuota" : "cpuWeight"
        case .cpuset: limits.cpus != nil ? "cpus" : "memoryNodes"
        case .pids: "pidsMax"
        case .io: limits.ioWeight != nil ? "ioWeight" : "ioDeviceLimits"
        default: controller.rawValue
        }
    }
}

extension String {
    var trimmingSuffixNewline: String {
        var text = self
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
