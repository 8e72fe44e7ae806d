import CContainment

/// One thing the sandbox child does between clone and exec.
///
/// Layers describe their configuration as steps; `Containment` orders the
/// steps of all layers by ``SetupPhase`` into a plan, renders the plan into
/// memory the spawn core walks, and names the failing step in errors. A step
/// is data only: it can be printed (a dry run) and compared without running
/// anything.
package struct SetupStep: Sendable, Hashable, CustomStringConvertible {
    /// When the step runs relative to the steps of other layers.
    package var phase: SetupPhase
    /// What the child does.
    package var operation: StepOperation
    /// A slot that receives the step's result (an opened descriptor, say).
    package var result: StepSlot?
    /// An errno that counts as success, e.g. EEXIST for a mkdir.
    package var toleratedErrno: Int32
    /// What the step does, for people: "sethostname box". Error messages
    /// read "<description>: <errno>".
    package var description: String

    package init(
        _ phase: SetupPhase,
        _ description: String,
        _ operation: StepOperation,
        result: StepSlot? = nil,
        toleratingErrno toleratedErrno: Int32 = 0
    ) {
        self.phase = phase
        self.description = description
        self.operation = operation
        self.result = result
        self.toleratedErrno = toleratedErrno
    }

    /// A raw system call step.
    package static func syscall(
        _ phase: SetupPhase,
        _ description: String,
        _ number: Int,
        _ arguments: StepArgument...,
        result: StepSlot? = nil,
        toleratingErrno: Int32 = 0
    ) -> SetupStep {
        SetupStep(phase, description, .syscall(number, arguments), result: result, toleratingErrno: toleratingErrno)
    }
}

/// The canonical order of the child's work (DESIGN.md, "the one rule of the
/// spawn path"). Steps run phase by phase; within a phase, in the order the
/// layers produced them.
package enum SetupPhase: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// Arm the parent-death signal first: a child cloned beside other
    /// spawns holds copies of their pipes until it execs, so waiting on the
    /// parent alone would not notice the host's death.
    case parentDeath
    /// Wait until the parent has written id maps and placed the child.
    case waitForParent
    /// setns into existing namespaces.
    case joinNamespaces
    /// Work inside the new namespaces that needs the host's view: time
    /// offsets, loopback up.
    case namespaceSetup
    /// sethostname, setdomainname.
    case hostname
    /// Mounts, pivot_root, masked and read-only paths.
    case mounts
    /// setrlimit.
    case resourceLimits
    /// setsid.
    case session
    /// Capability bounding set and securebits.
    case boundingSet
    /// setgroups, setresgid, setresuid.
    case identity
    /// Re-arm the parent-death signal, which a credential change clears.
    case parentDeathAfterIdentity
    /// capset and the ambient set.
    case capabilities
    /// PR_SET_NO_NEW_PRIVS.
    case noNewPrivileges
    /// Landlock rulesets.
    case landlock
    /// Placing stdio and passed descriptors, closing all others.
    case descriptors
    /// chdir.
    case workingDirectory
    /// Loading the seccomp filter: last, so it need not allow setup calls.
    case seccomp
    /// Unblocking signals and exec.
    case exec

    package static func < (lhs: SetupPhase, rhs: SetupPhase) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a step does; mirrors the spawn core's `enum cn_op`.
package enum StepOperation: Sendable, Hashable {
    /// `syscall(number, arguments...)`.
    case syscall(Int, [StepArgument])
    /// Wait for the parent's go-ahead on the sync pipe.
    case waitForParent
    /// execve the first of `candidates` that exists, as execvp does.
    case exec(candidates: [String], arguments: [String], environment: StepArgument)
    /// PR_SET_PDEATHSIG, then exit if the parent is already gone.
    case parentDeathSignal(Int32)
    /// Load a seccomp BPF program (`program`: `struct sock_filter`s) with
    /// `flags`; with SECCOMP_FILTER_FLAG_NEW_LISTENER, send the listener over
    /// the socket at descriptor `handoff`.
    case seccomp(program: [UInt8], flags: Int, handoff: Int32)
    /// Clone the rest of the plan into the pid namespace the child unshared
    /// (CLONE_VM | CLONE_VFORK | CLONE_PARENT); the new process's pid goes to
    /// the host on the error pipe.
    case cloneIntoPidNamespace
}

/// An argument of a step, rendered into the plan's memory.
package enum StepArgument: Sendable, Hashable {
    /// An integer passed as is.
    case integer(Int)
    /// A pointer to a NUL-terminated copy of the string.
    case string(String)
    /// A pointer to a copy of the bytes.
    case bytes([UInt8])
    /// A pointer to a NULL-terminated array of string pointers.
    case strings([String])
    /// The value a slot holds when the step runs.
    case slot(StepSlot)
}

/// A named value of one spawn: a descriptor the parent created for it, or the
/// result of an earlier step. The renderer gives each name a slot index.
package struct StepSlot: Sendable, Hashable, CustomStringConvertible {
    package var name: String
    package init(_ name: String) { self.name = name }
    package var description: String { "$" + name }

    /// The child's end of the sync pipe.
    package static let sync = StepSlot("sync")
    /// The child's end of the error pipe.
    package static let error = StepSlot("error")

    /// Slot indices fixed by the spawn core.
    package var fixedIndex: Int? {
        switch self {
        case .sync: Int(CN_SLOT_SYNC)
        case .error: Int(CN_SLOT_ERROR)
        default: nil
        }
    }
}
