import ContainmentSupport
import Glibc

/// What this host supports, item by item, each with the reason and the
/// remedy: the preflight of `Host.check()`.
public struct HostReport: Sendable, CustomStringConvertible {
    /// One capability of the host.
    public struct Item: Sendable, Hashable, CustomStringConvertible {
        /// Short name, e.g. "user namespaces".
        public var name: String
        /// Whether the SDK can use it here.
        public var supported: Bool
        /// What was found.
        public var detail: String
        /// What to do when it is not supported.
        public var remedy: String?

        /// Creates an item.
        public init(_ name: String, supported: Bool, detail: String, remedy: String? = nil) {
            self.name = name
            self.supported = supported
            self.detail = detail
            self.remedy = remedy
        }

        public var description: String {
            "\(supported ? "ok  " : "NO  ") \(name): \(detail)" + (supported ? "" : remedy.map { " — \($0)" } ?? "")
        }
    }

    /// Every item checked.
    public var items: [Item]

    /// The item named `name`.
    public subscript(name: String) -> Item? { items.first { $0.name == name } }

    public var description: String { items.map(\.description).joined(separator: "\n") }
}

/// The host the SDK runs on.
public enum Host {
    /// Checks what this host supports, item by item: spawning sandboxes
    /// with and without a user namespace, reading the kernel's settings
    /// (user namespace sysctls, cgroup mounts, Landlock and seccomp
    /// features) and looking for the helpers the SDK uses. Creates nothing
    /// that outlives the check; takes a few milliseconds.
    ///
    /// Items, by name: "kernel", "clone3 and pidfd", "user namespaces",
    /// "user namespace sysctls", "all container namespaces", "wide id maps",
    /// "time namespaces", "cgroup hierarchy", "cgroup controllers",
    /// "cgroup delegation", "seccomp", "seccomp user notification",
    /// "Landlock", "overlay in a user namespace", "idmapped mounts".
    public static func check() async -> HostReport {
        var items = [kernelItem()]
        items.append(await spawnItem("clone3 and pidfd", namespaces: [], detail: "clone3 with CLONE_PIDFD works"))
        items.append(await spawnItem("user namespaces", namespaces: [.user], detail: "a user namespace can be created by this process"))
        items.append(userNamespaceSysctlsItem())
        items.append(await spawnItem("all container namespaces", namespaces: .all, detail: "user, pid, mount, uts, ipc, network and cgroup namespaces can be created"))
        items.append(idMapHelperItem())
        items.append(HostReport.Item("time namespaces", supported: access("/proc/self/ns/time", F_OK) == 0,
                          detail: access("/proc/self/ns/time", F_OK) == 0 ? "present" : "absent",
                          remedy: "Linux 5.6 or later is needed for time offsets"))
        items += cgroupItems()
        items.append(seccompItem())
        items.append(seccompNotificationItem())
        items.append(landlockItem())
        items.append(filesystemItem())
        items.append(idmappedMountsItem())
        return HostReport(items: items)
    }

    /// The running kernel's release ("6.1.0") as numbers.
    static var kernelVersion: [Int] {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
    }

    static func kernelAtLeast(_ major: Int, _ minor: Int) -> Bool {
        kernelVersion.lexicographicallyPrecedes([major, minor]) == false
    }

    private static func kernelItem() -> HostReport.Item {
        let version = kernelVersion.map(String.init).joined(separator: ".")
        return HostReport.Item("kernel", supported: kernelAtLeast(5, 9), detail: "Linux \(version)",
                               remedy: "Linux 5.9 or later is needed (clone3 with pidfds, close_range)")
    }

    private static func spawnItem(_ name: String, namespaces: NamespaceSet, detail: String) async -> HostReport.Item {
        var sandbox = Sandbox()
        sandbox.namespaces = namespaces
        do {
            let result = try await sandbox.run("/bin/true")
            return HostReport.Item(name, supported: result.termination.isSuccess, detail: detail)
        } catch let error as SandboxError {
            return HostReport.Item(name, supported: false, detail: error.message, remedy: error.message.split(separator: "—").last.map { String($0).trimmingWhitespace })
        } catch {
            return HostReport.Item(name, supported: false, detail: "\(error)")
        }
    }

    private static func idMapHelperItem() -> HostReport.Item {
        let user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? String(geteuid())
        let helpers = ["/usr/bin/newuidmap", "/usr/bin/newgidmap"].filter { (path: String) in access(path, X_OK) == 0 }
        let subuid = (try? readText("/etc/subuid")) ?? ""
        let listed = subuid.split(separator: "\n").contains { $0.hasPrefix("\(user):") || $0.hasPrefix("\(geteuid()):") }
        if geteuid() == 0 {
            return HostReport.Item("wide id maps", supported: true, detail: "root writes any uid and gid map directly")
        }
        return HostReport.Item("wide id maps", supported: helpers.count == 2 && listed,
                               detail: "newuidmap/newgidmap \(helpers.count == 2 ? "found" : "missing"); \(user) \(listed ? "is" : "is not") in /etc/subuid",
                               remedy: "install uidmap and add \"\(user):100000:65536\" to /etc/subuid and /etc/subgid to map more than your own id")
    }

    private static func filesystemItem() -> HostReport.Item {
        let filesystems = (try? readText("/proc/filesystems")) ?? ""
        let overlay = filesystems.contains("\toverlay\n")
        let rootless = kernelAtLeast(5, 11)
        return HostReport.Item("overlay in a user namespace", supported: overlay && rootless,
                               detail: overlay ? (rootless ? "overlay available, mountable in user namespaces" : "overlay available to root only") : "no overlay filesystem",
                               remedy: "load the overlay module; Linux 5.11 or later mounts it in user namespaces")
    }
}
