import Containment
import Glibc
import TestSupport
import Testing

/// The preflight reports this host as it is: each item checked against
/// what the host's own files say.
@Suite struct HostReportTests {
    /// The contents of a small text file, or "" when it cannot be read.
    private static func read(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = fread(&buffer, 1, buffer.count, file), count > 0 { bytes += buffer[..<count] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The file systems mounted here, by type, from /proc/self/mounts.
    private static var mountTypes: Set<String> {
        let text = read("/proc/self/mounts")
        return Set(text.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) })
    }

    @Test func reportsWhatThisHostCanDo() async throws {
        let report = await Host.check()
        #expect(report["kernel"]?.supported == true)
        #expect(report["clone3 and pidfd"]?.supported == true)
        #expect(report["user namespaces"]?.supported == true, "\(report)")
        #expect(report["all container namespaces"]?.supported == true)
        #expect(report.description.contains("ok   kernel: Linux "))
    }

    @Test func everyItemOfThePreflightIsThereAndUnsupportedOnesHaveARemedy() async throws {
        let report = await Host.check()
        let names = ["kernel", "clone3 and pidfd", "user namespaces", "user namespace sysctls", "all container namespaces",
                     "wide id maps", "time namespaces", "cgroup hierarchy", "cgroup controllers", "cgroup delegation",
                     "seccomp", "seccomp user notification", "Landlock", "overlay in a user namespace", "idmapped mounts"]
        #expect(report.items.map(\.name) == names)
        for item in report.items where !item.supported {
            #expect(item.remedy?.isEmpty == false, "\(item.name) has no remedy")
        }
    }

    @Test func cgroupShapeMatchesTheMounts() async throws {
        let types = Self.mountTypes
        let expected = types.contains("cgroup2") ? (types.contains("cgroup") ? "hybrid" : "unified") : "legacy"
        let item = try #require(await Host.check()["cgroup hierarchy"])
        #expect(item.supported)
        #expect(item.detail.hasPrefix(expected + ":"), "\(item.detail)")
        if expected == "hybrid" { #expect(item.detail.contains("memory")) }
    }

    @Test func rootMayCreateCgroupsWithTheControllersLimitsNeed() async throws {
        guard TestEnvironment.hasRoot(for: "cgroup delegation as root") else { return }
        let report = await Host.check()
        let controllers = try #require(report["cgroup controllers"])
        #expect(controllers.supported, "\(controllers)")
        for name in ["memory", "pids", "cpu"] { #expect(controllers.detail.contains(name)) }
        #expect(report["cgroup delegation"]?.supported == true, "\(report)")
    }

    @Test func kernelFeaturesMatchTheKernel() async throws {
        let report = await Host.check()
        // This host's kernel enables Landlock (ABI 7 on Linux 6.18).
        let landlock = try #require(report["Landlock"])
        #expect(landlock.supported, "\(landlock)")
        #expect(landlock.detail.hasPrefix("Landlock ABI \(LandlockABI.current.rawValue): filesystem rules"))
        #expect(LandlockABI.current.rawValue >= 1)
        #expect(report["seccomp"]?.supported == true)
        // seccomp user notification is Linux 5.0, idmapped mounts 5.12; this host runs a newer kernel.
        let notification = try #require(report["seccomp user notification"])
        #expect(notification.supported, "\(notification)")
        #expect(notification.detail.contains("SECCOMP_RET_USER_NOTIF available"))
        let idmapped = try #require(report["idmapped mounts"])
        #expect(idmapped.supported, "\(idmapped)")
        #expect(idmapped.detail.contains("tmpfs"))
    }

    @Test func userNamespaceSysctlsAreReadFromProc() async throws {
        let item = try #require(await Host.check()["user namespace sysctls"])
        let maximum = Self.read("/proc/sys/user/max_user_namespaces").split(separator: "\n").first.map(String.init) ?? "absent"
        #expect(item.detail.contains("user.max_user_namespaces \(maximum)"), "\(item.detail)")
        #expect(item.detail.contains("kernel.apparmor_restrict_unprivileged_userns"))
        #expect(item.supported == (maximum != "0"))
    }

    @Test func reportsWhatAnUnprivilegedUserLacks() async throws {
        guard TestEnvironment.hasRoot(for: "running the preflight as nobody") else { return }
        let (result, _) = try await TestEnvironment.runHelperAsNobody(["host-check"])
        let report = result.standardOutput
        // nobody is in no /etc/subuid here, so wide maps are unsupported, with the remedy.
        #expect(report.contains("NO   wide id maps:"), "\(report)")
        #expect(report.contains("/etc/subuid"))
        #expect(report.contains("ok   user namespaces:"))
        #expect(report.contains("ok   user namespace sysctls:"))
        // nobody owns no cgroup: no delegation, and the remedy says how to get one.
        #expect(report.contains("NO   cgroup delegation: cannot create cgroups in"), "\(report)")
        #expect(report.contains("delegate a cgroup to this user"))
        #expect(report.contains("ok   seccomp user notification:"))
        #expect(report.contains("ok   Landlock:"))
    }
}
