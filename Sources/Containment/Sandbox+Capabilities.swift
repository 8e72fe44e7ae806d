import CContainment
import ContainmentSupport
import Glibc

extension Sandbox {
    /// Whether the payload runs as uid 0 in its user namespace (or on the
    /// host, without one): `identity`'s uid, else root inside a new user
    /// namespace, else the host process's own uid. Decides the default
    /// capabilities (``resolvedCapabilities``).
    public var payloadIsRoot: Bool {
        if let identity { return identity.uid == 0 }
        return isolation.isolated.contains(.user) || geteuid() == 0
    }

    /// Whether the child holds CAP_SETPCAP, CAP_SETUID and CAP_SETGID before
    /// its identity changes: it is root in a new user namespace or on the host.
    var childIsPrivileged: Bool { isolation.namespaces.contains(.user) || geteuid() == 0 }

    /// The capabilities the payload gets: `capabilities`, or the safe
    /// defaults for the uid it runs as.
    public var resolvedCapabilities: CapabilityConfiguration {
        capabilities ?? .defaults(payloadIsRoot: payloadIsRoot)
    }

    /// The child's privilege steps in canonical order: resource limits,
    /// bounding set and securebits, groups/gid/uid, capability sets and
    /// ambient set, no_new_privs, Landlock. Validates them first, and
    /// negotiates the Landlock ruleset with the running kernel.
    func privilegeSteps() throws -> (steps: [SetupStep], landlock: LandlockReport?) {
        let configuration = resolvedCapabilities
        try ResourceLimit.validate(resourceLimits)
        try identity?.validate()
        try configuration.validate(payloadIsRoot: payloadIsRoot, noNewPrivileges: noNewPrivileges)
        let landlockReport = try landlock.map { ruleset throws(CapabilityError) in
            try ruleset.validate()
            if !noNewPrivileges && !configuration.effective.contains(.sysAdmin) {
                throw CapabilityError(.invalidLandlockRule, field: "landlock",
                                      "enforcing Landlock needs no_new_privs or CAP_SYS_ADMIN; keep noNewPrivileges on")
            }
            return try ruleset.negotiate(with: .current)
        }

        let leavesRoot = childIsPrivileged && (identity.map { $0.uid != 0 } ?? false)
        let keepsCapabilities = leavesRoot && !configuration.permitted.isEmpty
        if keepsCapabilities && configuration.securebits.contains(.keepCapsLocked) && !configuration.securebits.contains(.keepCaps) {
            throw CapabilityError(.securebitsConflict, field: "capabilities.securebits",
                                  "SECBIT_KEEP_CAPS_LOCKED without SECBIT_KEEP_CAPS loses every capability when the uid changes to \(identity?.uid ?? 0); add .keepCaps or drop the lock")
        }
        var steps = resourceLimits.map(\.setupStep)
        steps += configuration.boundingSteps(lastCapability: .lastSupported,
                                             canDropBounding: childIsPrivileged || capabilities != nil,
                                             keepsAcrossUIDChange: keepsCapabilities)
        steps += try identitySteps()
        steps += configuration.capabilitySteps()
        if noNewPrivileges {
            steps.append(.syscall(.noNewPrivileges, "set no_new_privs", Int(SYS_prctl),
                                  .integer(Int(PR_SET_NO_NEW_PRIVS)), .integer(1), .integer(0), .integer(0), .integer(0)))
        }
        if let report = landlockReport, report.ruleset != nil { steps.append(LandlockRuleset.restrictStep(abi: report.abi)) }
        return (steps, landlockReport)
    }

    /// setgroups, setresgid and setresuid, and the parent-death signal
    /// re-armed after them; without an identity, the groups are still
    /// cleared wherever setgroups is allowed, so none leak from the host.
    private func identitySteps() throws -> [SetupStep] {
        let setgroupsAllowed = !isolation.namespaces.contains(.user) || geteuid() == 0
        guard let identity else {
            return setgroupsAllowed && childIsPrivileged ? [Identity.setGroupsStep([])] : []
        }
        if !setgroupsAllowed && !identity.groups.isEmpty {
            throw SandboxError.invalid("identity.groups", "setgroups is denied in an unprivileged user namespace; map groups with newgidmap (/etc/subgid) or run as root")
        }
        var steps = identity.setupSteps(setgroupsAllowed: setgroupsAllowed)
        if let signal = parentDeathSignal {
            steps.append(SetupStep(.parentDeathAfterIdentity, "re-arm parent-death signal \(signal) after the uid change",
                                   .parentDeathSignal(signal.rawValue)))
        }
        return steps
    }
}
