/// One control-file write that enforces (part of) a limit.
struct CgroupFileWrite: Sendable, Hashable {
    /// The controller owning the file.
    var controller: CgroupController
    /// The file's name in the cgroup directory, e.g. "memory.max".
    var file: String
    /// What to write; nil on v1 means "copy the parent's value" (cpuset).
    var value: String?
    /// The `ResourceLimits` field the write enforces, for errors.
    var field: String
}

extension ResourceLimits {
    /// The writes that apply these limits with v2 files (for controllers
    /// `isUnified` says are on cgroup2) or their v1 equivalents, resetting
    /// limits `previous` set that these do not.
    func writes(isUnified: (CgroupController) -> Bool, previous: ResourceLimits? = nil) throws(CgroupError) -> [CgroupFileWrite] {
        var writes: [CgroupFileWrite] = []
        func add(_ controller: CgroupController, _ file: String, _ value: String?, _ field: String) {
            writes.append(CgroupFileWrite(controller: controller, file: file, value: value, field: field))
        }
        func wasSet<T>(_ path: KeyPath<ResourceLimits, T?>) -> Bool { previous?[keyPath: path] != nil }
        var unified = isUnified(.memory)
        let unlimited = unified ? "max" : "-1"
        if let memoryMax { add(.memory, unified ? "memory.max" : "memory.limit_in_bytes", String(memoryMax), "memoryMax") }
        else if wasSet(\.memoryMax) { add(.memory, unified ? "memory.max" : "memory.limit_in_bytes", unlimited, "memoryMax") }
        if let memoryHigh {
            guard unified else {
                throw CgroupError(.unsupportedLimit, field: "memoryHigh", "memory.high has no cgroup v1 equivalent on this host; use memoryMax, or run on a cgroup v2 host")
            }
            add(.memory, "memory.high", String(memoryHigh), "memoryHigh")
        } else if wasSet(\.memoryHigh) { add(.memory, "memory.high", "max", "memoryHigh") }
        if let swapMax {
            if unified { add(.memory, "memory.swap.max", String(swapMax), "swapMax") }
            else {
                guard let memoryMax else {
                    throw CgroupError(.invalidLimit, field: "swapMax", "on cgroup v1 swap is limited together with memory (memory.memsw.limit_in_bytes); set memoryMax too")
                }
                add(.memory, "memory.memsw.limit_in_bytes", String(memoryMax + swapMax), "swapMax")
            }
        } else if wasSet(\.swapMax) { add(.memory, unified ? "memory.swap.max" : "memory.memsw.limit_in_bytes", unlimited, "swapMax") }

        unified = isUnified(.cpu)
        if let cpuQuota {
            if unified { add(.cpu, "cpu.max", cpuQuota.description, "cpuQuota") }
            else {
                add(.cpu, "cpu.cfs_period_us", String(cpuQuota.periodMicroseconds), "cpuQuota")
                add(.cpu, "cpu.cfs_quota_us", String(cpuQuota.quotaMicroseconds), "cpuQuota")
            }
        } else if wasSet(\.cpuQuota) { add(.cpu, unified ? "cpu.max" : "cpu.cfs_quota_us", unified ? "max" : "-1", "cpuQuota") }
        let weight = cpuWeight ?? (wasSet(\.cpuWeight) ? 100 : nil)
        if let weight {
            // v1 shares span 2...262144 where v2 weights span 1...10000 (as runc and crun map them).
            add(.cpu, unified ? "cpu.weight" : "cpu.shares", unified ? String(weight) : String(2 + (weight - 1) * 262_142 / 9_999), "cpuWeight")
        }

        unified = isUnified(.cpuset)
        for (field, file, list, old) in [("cpus", "cpuset.cpus", cpus, previous?.cpus), ("memoryNodes", "cpuset.mems", memoryNodes, previous?.memoryNodes)] {
            if let list { add(.cpuset, file, Self.listText(list), field) }
            else if old != nil || !unified { add(.cpuset, file, unified ? "" : nil, field) }
        }

        if let pidsMax { add(.pids, "pids.max", String(pidsMax), "pidsMax") }
        else if wasSet(\.pidsMax) { add(.pids, "pids.max", "max", "pidsMax") }

        unified = isUnified(.io)
        if let ioWeight = ioWeight ?? (wasSet(\.ioWeight) ? 100 : nil) {
            // v1 BFQ weights span 1...1000 with the same default of 100.
            add(.io, unified ? "io.weight" : "blkio.bfq.weight", String(unified ? ioWeight : min(1000, ioWeight)), "ioWeight")
        }
        let devices = Set(ioDeviceLimits.map(\.device) + (previous?.ioDeviceLimits.map(\.device) ?? []))
        for device in devices.sorted() {
            let limit = ioDeviceLimits.first { $0.device == device }
            let values = limit?.entries ?? []
            if unified {
                let keys = ["rbps", "wbps", "riops", "wiops"].map { key in "\(key)=\(values.first { $0.key == key }.map { String($0.value) } ?? "max")" }
                add(.io, "io.max", ([device] + keys).joined(separator: " "), "ioDeviceLimits")
            } else {
                for file in ["read_bps_device", "write_bps_device", "read_iops_device", "write_iops_device"] {
                    add(.io, "blkio.throttle." + file, "\(device) \(values.first { $0.legacyFile == file }?.value ?? 0)", "ioDeviceLimits")
                }
            }
        }
        return writes
    }

    /// "0-3,8" for [0, 1, 2, 3, 8] (the kernel's list format).
    static func listText(_ list: [Int]) -> String {
        var ranges: [String] = []
        var sorted = Set(list).sorted()[...]
        while let first = sorted.popFirst() {
            var last = first
            while sorted.first == last + 1 { last = sorted.removeFirst() }
            ranges.append(first == last ? "\(first)" : "\(first)-\(last)")
        }
        return ranges.joined(separator: ",")
    }
}
