@testable import Cgroups
import Glibc
import Testing

/// Host detection, limit validation and the v2 → v1 mapping: pure logic, no
/// privileges, no kernel cgroups.
@Suite struct CgroupHostTests {
    static let hybridMounts = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """
    static let hybridSelf = "4:memory:/app/x\n7:blkio:/\n1:cpu:/\n0::/\n"

    @Test func detectsHybridHostsAndOwnCgroups() throws {
        let host = try CgroupHost(mountInfo: Self.hybridMounts, processCgroups: Self.hybridSelf)
        #expect(host.shape == .hybrid)
        #expect(host.unifiedMountPoint == "/sys/fs/cgroup/unified")
        #expect(host.legacyControllers == [.cpu, .memory, .io])
        let placement = Placement(host: host, parent: nil)
        #expect(placement.legacyParent(.memory) == "/sys/fs/cgroup/memory/app/x")
        #expect(placement.legacyParent(.io) == "/sys/fs/cgroup/blkio")
        #expect(placement.unifiedParent == "/sys/fs/cgroup/unified")
        #expect(Placement(host: host, parent: "/jobs").legacyParent(.memory) == "/sys/fs/cgroup/memory/jobs")
    }

    @Test func detectsUnifiedAndLegacyHostsAndMountRoots() throws {
        let unified = try CgroupHost(mountInfo: "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
                                     processCgroups: "0::/user.slice/app.scope\n")
        #expect(unified.shape == .unified)
        #expect(Placement(host: unified, parent: nil).unifiedParent == "/sys/fs/cgroup/user.slice/app.scope")
        // Inside a container the mount's root is the container's cgroup, and
        // mountinfo escapes spaces.
        let legacy = try CgroupHost(mountInfo: "40 31 0:33 /box /sys/fs/my\\040cgroup/pids rw - cgroup cgroup rw,pids,freezer\n",
                                    processCgroups: "3:freezer,pids:/box/inner\n")
        #expect(legacy.shape == .legacy)
        #expect(Placement(host: legacy, parent: nil).legacyParent(.freezer) == "/sys/fs/my cgroup/pids/inner")
        #expect(throws: CgroupError.self) { try CgroupHost(mountInfo: "", processCgroups: "0::/\n") }
    }

    @Test func rejectsInvalidLimitsNamingTheField() {
        let cases: [(ResourceLimits, String)] = [
            (ResourceLimits(memoryMax: 0), "memoryMax"),
            (ResourceLimits(cpuQuota: CPUQuota(quotaMicroseconds: 10)), "cpuQuota"),
            (ResourceLimits(cpuWeight: 20_000), "cpuWeight"),
            (ResourceLimits(cpus: []), "cpus"),
            (ResourceLimits(pidsMax: -1), "pidsMax"),
            (ResourceLimits(ioDeviceLimits: [IODeviceLimit(major: 8, minor: 0)]), "ioDeviceLimits"),
            (ResourceLimits(parent: "relative/path"), "parent"),
        ]
        for (limits, field) in cases {
            #expect { try limits.validate() } throws: { error in
                let error = error as? CgroupError
                return error?.code == .invalidLimit && error?.field == field
            }
        }
    }

    @Test func mapsV2LimitsToV1Files() throws {
        let limits = ResourceLimits(memoryMax: 32 << 20, cpuQuota: .cores(0.2), cpuWeight: 100, cpus: [0, 1, 2, 5], pidsMax: 32,
                                    ioDeviceLimits: [IODeviceLimit(major: 254, minor: 0, readBytesPerSecond: 1_000_000)])
        let v1 = try limits.writes(isUnified: { _ in false }).map { "\($0.file)=\($0.value ?? "<parent>")" }
        #expect(v1.contains("memory.limit_in_bytes=33554432"))
        #expect(v1.contains("cpu.cfs_period_us=100000") && v1.contains("cpu.cfs_quota_us=20000"))
        #expect(v1.contains("cpu.shares=2597"))
        #expect(v1.contains("cpuset.cpus=0-2,5") && v1.contains("cpuset.mems=<parent>"))
        #expect(v1.contains("blkio.throttle.read_bps_device=254:0 1000000"))
        let v2 = try limits.writes(isUnified: { _ in true }).map { "\($0.file)=\($0.value ?? "<parent>")" }
        #expect(v2.contains("cpu.max=20000 100000") && v2.contains("pids.max=32"))
        #expect(v2.contains("io.max=254:0 rbps=1000000 wbps=max riops=max wiops=max"))
        // A limit dropped in an update goes back to unlimited.
        let reset = try ResourceLimits().writes(isUnified: { _ in true }, previous: limits).map { "\($0.file)=\($0.value ?? "")" }
        #expect(reset.contains("memory.max=max") && reset.contains("cpu.max=max") && reset.contains("cpuset.cpus="))
    }

    @Test func aLimitWithoutV1EquivalentIsATypedError() {
        #expect { try ResourceLimits(memoryHigh: 1 << 20).writes(isUnified: { _ in false }) } throws: { error in
            (error as? CgroupError)?.code == .unsupportedLimit && (error as? CgroupError)?.field == "memoryHigh"
        }
    }

    /// A cgroup2 host whose parent cgroup does not offer the io controller:
    /// an io bandwidth limit is refused before anything is created.
    @Test func aControllerTheParentDoesNotOfferIsATypedError() throws {
        var template = Array("/tmp/cgroups-test-XXXXXX".utf8CString)
        let directory = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
        defer { unlink(directory + "/cgroup.controllers"); rmdir(directory) }
        let file = try #require(fopen(directory + "/cgroup.controllers", "w"))
        fputs("cpu memory pids\n", file)
        fclose(file)
        let host = try CgroupHost(mountInfo: "30 23 0:26 / \(directory) rw - cgroup2 cgroup2 rw\n", processCgroups: "0::/\n")
        let limits = ResourceLimits(ioDeviceLimits: [IODeviceLimit(major: 254, minor: 0, writeBytesPerSecond: 1 << 20)])
        #expect { try Cgroup.check(limits, host: host) } throws: { error in
            let error = error as? CgroupError
            return error?.code == .unsupportedLimit && error?.field == "ioDeviceLimits" && error?.message.contains("io controller") == true
        }
        try Cgroup.check(ResourceLimits(memoryMax: 1 << 30, pidsMax: 10), host: host)
    }

    /// Where the caller may not create cgroups (mkdir fails with EACCES for
    /// an unprivileged user in a cgroup not delegated to it, EPERM here in a sysfs
    /// directory), the error says so and how to fix it.
    @Test func noDelegationIsATypedErrorWithTheRemedy() {
        #expect {
            let host = try CgroupHost(mountInfo: "30 23 0:26 / /sys/kernel rw - cgroup2 cgroup2 rw\n", processCgroups: "0::/\n")
            _ = try Cgroup.create(host: host)
        } throws: { error in
            let error = error as? CgroupError
            return error?.code == .notDelegated && error?.field == "parent" && error?.message.contains("Delegate=yes") == true
        }
    }
}
