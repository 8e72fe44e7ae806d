import CContainment
import ContainmentSupport
import Glibc
import SystemPackage

/// Builds the child's mount steps. Every path inside the new root is opened
/// with openat2(2) below the root's descriptor (`RESOLVE_IN_ROOT |
/// RESOLVE_NO_MAGICLINKS`) and mounts are attached through the resolved
/// descriptor with move_mount(2), so a symbolic link in the root can never
/// make a step touch the host. Host paths (bind sources, overlay layers) are
/// resolved while the host's root is still the child's root.
struct MountPlanner {
    private(set) var steps: [SetupStep] = []
    /// Directories known to exist in the new root, so each is made once.
    var existing: Set<SandboxPath> = [SandboxPath(components: [])]

    /// Slots of the mount steps, reused by every mount: the new root, the
    /// detached mount being placed, a filesystem context, a resolved target
    /// or parent directory, an ephemeral overlay's tmpfs and its upper and
    /// work directories, and the minimal /dev.
    static let root = StepSlot("rootfs.root")
    static let mount = StepSlot("rootfs.mount")
    static let context = StepSlot("rootfs.context")
    static let target = StepSlot("rootfs.target")
    static let parent = StepSlot("rootfs.parent")
    static let scratch = StepSlot("rootfs.scratch")
    static let upper = StepSlot("rootfs.upper")
    static let work = StepSlot("rootfs.work")
    static let devices = StepSlot("rootfs.devices")

    /// Appends a system call step of the mounts phase.
    mutating func add(_ description: String, _ number: Int, _ arguments: StepArgument..., result: StepSlot? = nil,
                      toleratingErrno: Int32 = 0) {
        steps.append(SetupStep(.mounts, description, .syscall(number, arguments), result: result, toleratingErrno: toleratingErrno))
    }

    /// Appends close(2) of the descriptor in `slot`.
    mutating func close(_ slot: StepSlot, _ what: String, toleratingErrno: Int32 = 0) {
        add("\(what): close", Int(SYS_close), .slot(slot), toleratingErrno: toleratingErrno)
    }

    // MARK: The new root

    /// Makes every mount private, so nothing propagates between host and sandbox.
    mutating func makeMountsPrivate() {
        add("make / rprivate", Int(SYS_mount), .integer(0), .string("/"), .integer(0),
            .integer(KernelMountAPI.recursivePrivate), .integer(0))
    }

    /// Leaves a detached tree of the host's `path` in `slot` (open_tree(2)).
    mutating func cloneTree(_ path: String, recursive: Bool, into slot: StepSlot, _ what: String) {
        add("\(what): open_tree \(path)", Int(SYS_open_tree), .integer(Int(AT_FDCWD)), .string(path),
            .integer(KernelMountAPI.openTreeClone | Int(O_CLOEXEC) | (recursive ? KernelMountAPI.atRecursive : 0)),
            result: slot)
    }

    /// Sets `attributes` on the detached tree in `slot` (mount_setattr(2)).
    mutating func setAttributes(_ attributes: MountAttributes, of slot: StepSlot, recursive: Bool, _ what: String) {
        guard !attributes.isEmpty else { return }
        let bytes = KernelMountAPI.mountAttr(set: attributes)
        add("\(what): mount_setattr", Int(SYS_mount_setattr), .slot(slot), .string(""),
            .integer(KernelMountAPI.atEmptyPath | (recursive ? KernelMountAPI.atRecursive : 0)), .bytes(bytes), .integer(bytes.count))
    }

    /// Creates a filesystem of `type` with `parameters` and leaves its
    /// detached mount in `slot` (fsopen, fsconfig, fsmount).
    mutating func newFilesystem(_ type: String, flags: [String] = [], parameters: [(String, String)] = [],
                                descriptors: [(String, StepSlot)] = [], attributes: MountAttributes,
                                into slot: StepSlot, _ what: String) {
        add("\(what): fsopen \(type)", Int(SYS_fsopen), .string(type), .integer(KernelMountAPI.fsopenCloexec), result: Self.context)
        for flag in flags {
            add("\(what): fsconfig \(flag)", Int(SYS_fsconfig), .slot(Self.context), .integer(KernelMountAPI.setFlag),
                .string(flag), .integer(0), .integer(0))
        }
        for (key, value) in parameters {
            add("\(what): fsconfig \(key)=\(value)", Int(SYS_fsconfig), .slot(Self.context),
                .integer(KernelMountAPI.setString), .string(key), .string(value), .integer(0))
        }
        for (key, descriptor) in descriptors {
            add("\(what): fsconfig \(key) by descriptor (needs Linux 6.13 or later)", Int(SYS_fsconfig), .slot(Self.context),
                .integer(KernelMountAPI.setDescriptor), .string(key), .integer(0), .slot(descriptor))
        }
        add("\(what): create \(type)", Int(SYS_fsconfig), .slot(Self.context), .integer(KernelMountAPI.create),
            .integer(0), .integer(0), .integer(0))
        add("\(what): fsmount", Int(SYS_fsmount), .slot(Self.context), .integer(KernelMountAPI.fsmountCloexec),
            .integer(Int(attributes.rawValue)), result: slot)
        close(Self.context, what)
    }

    /// Puts the new root (the detached mount in `root`) over the host's "/"
    /// of the child's private mount namespace. Absolute paths still resolve
    /// on the host (the child's root directory is the covered one) until
    /// `pivot`.
    mutating func attachRoot() {
        add("attach the new root", Int(SYS_move_mount), .slot(Self.root), .string(""), .integer(Int(AT_FDCWD)), .string("/"),
            .integer(KernelMountAPI.moveFromEmptyPath))
    }

    /// Makes the new root "/" (pivot_root(".", ".")), detaches the host's
    /// root below it and enters it.
    mutating func pivot(readOnly: Bool) {
        if readOnly { setAttributes(.readOnly, of: Self.root, recursive: false, "read-only root") }
        add("enter the new root", Int(SYS_fchdir), .slot(Self.root))
        add("pivot_root", Int(SYS_pivot_root), .string("."), .string("."))
        add("detach the host's root", Int(SYS_umount2), .string("."), .integer(KernelMountAPI.detach))
        add("chdir /", Int(SYS_chdir), .string("/"))
        close(Self.root, "new root")
    }

    // MARK: Paths inside the new root

    /// Opens `path` inside the new root into `slot`; `flags` are open(2)'s.
    private mutating func resolve(_ path: SandboxPath, flags: Int32, mode: UInt32 = 0, into slot: StepSlot, _ what: String,
                                  toleratingErrno: Int32 = 0) {
        let how = KernelMountAPI.openHow(flags: flags, mode: mode)
        add("\(what): open \(path) in the root", Int(SYS_openat2), .slot(Self.root), .string(path.relative), .bytes(how),
            .integer(how.count), result: slot, toleratingErrno: toleratingErrno)
    }

    /// Runs `body` with a slot holding the directory `path` in the new root:
    /// the root's own descriptor, or `parent` opened for the occasion.
    private mutating func inDirectory(_ path: SandboxPath, _ what: String, _ body: (inout MountPlanner, StepSlot) -> Void) {
        if path.components.isEmpty { return body(&self, Self.root) }
        resolve(path, flags: KernelMountAPI.openPath | O_DIRECTORY, into: Self.parent, what)
        body(&self, Self.parent)
        close(Self.parent, what)
    }

    /// Makes `path` and every missing directory above it (mkdirat(2) below
    /// a directory opened in the root; an existing entry is kept).
    mutating func makeDirectories(_ path: SandboxPath, mode: FilePermissions = [.ownerReadWriteExecute, .groupReadExecute, .otherReadExecute],
                                  _ what: String) {
        guard !existing.contains(path) else { return }
        makeDirectories(path.parent, what)
        inDirectory(path.parent, what) { planner, directory in
            planner.add("\(what): mkdir \(path)", Int(SYS_mkdirat), .slot(directory), .string(path.name),
                        .integer(Int(mode.rawValue)), toleratingErrno: EEXIST)
        }
        existing.insert(path)
    }

    /// Makes the file `path` unless it exists (its directory too).
    mutating func makeFile(_ path: SandboxPath, _ what: String) {
        makeDirectories(path.parent, what)
        resolve(path, flags: O_RDONLY | O_CREAT | O_EXCL, mode: 0o644, into: Self.target, what, toleratingErrno: EEXIST)
        close(Self.target, what, toleratingErrno: EBADF)
    }

    /// Attaches the detached mount in `slot` at `path` through the resolved
    /// target descriptor (move_mount(2)), and closes both; `keepingOpen`
    /// leaves `slot` open: it then names the attached mount's root.
    mutating func attach(_ slot: StepSlot, at path: SandboxPath, directory: Bool, keepingOpen: Bool = false, _ what: String) {
        resolve(path, flags: KernelMountAPI.openPath | (directory ? O_DIRECTORY : 0), into: Self.target, what)
        moveMount(slot, what)
        if !keepingOpen { close(slot, what) }
        // What was known below `path` is now hidden by the new mount.
        existing = existing.filter { !$0.isBelow(path) }
        if directory { existing.insert(path) }
    }

    /// move_mount(2) of the detached mount in `slot` onto the descriptor in
    /// `target`, which is closed.
    private mutating func moveMount(_ slot: StepSlot, _ what: String) {
        add("\(what): move_mount", Int(SYS_move_mount), .slot(slot), .string(""), .slot(Self.target), .string(""),
            .integer(KernelMountAPI.moveFromEmptyPath | KernelMountAPI.moveToEmptyPath))
        close(Self.target, what)
    }

    /// Attaches the detached mount in `slot` as the new entry `name` of
    /// `directory`, a fresh filesystem of the plan's own where nothing can
    /// be in the way (so the made file's descriptor is the target), and
    /// closes `slot`.
    mutating func attachInFresh(_ slot: StepSlot, in directory: StepSlot, name: String, directory isDirectory: Bool, _ what: String) {
        let how: [UInt8]
        if isDirectory {
            add("\(what): mkdir \(name)", Int(SYS_mkdirat), .slot(directory), .string(name), .integer(0o755))
            how = KernelMountAPI.openHow(flags: KernelMountAPI.openPath | O_DIRECTORY)
        } else {
            how = KernelMountAPI.openHow(flags: O_RDONLY | O_CREAT | O_EXCL, mode: 0o644)
        }
        add("\(what): open \(name)", Int(SYS_openat2), .slot(directory), .string(name), .bytes(how), .integer(how.count),
            result: Self.target)
        moveMount(slot, what)
        close(slot, what)
    }

    /// Makes the target of a mount (a directory or a file), then attaches.
    mutating func place(_ slot: StepSlot, at path: SandboxPath, directory: Bool, _ what: String) {
        if directory { makeDirectories(path, what) } else { makeFile(path, what) }
        attach(slot, at: path, directory: directory, what)
    }

    /// A symbolic link at `path` (symlinkat(2)).
    mutating func symlink(_ contents: String, at path: SandboxPath, _ what: String) {
        makeDirectories(path.parent, what)
        inDirectory(path.parent, what) { planner, directory in
            planner.add("\(what): symlinkat", Int(SYS_symlinkat), .string(contents), .slot(directory), .string(path.name))
        }
    }

    /// The file `path` with `contents`, created or truncated.
    mutating func file(_ path: SandboxPath, contents: [UInt8], mode: FilePermissions, _ what: String) {
        makeDirectories(path.parent, what)
        resolve(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY, mode: UInt32(mode.rawValue), into: Self.target, what)
        if !contents.isEmpty {
            add("\(what): write", Int(SYS_write), .slot(Self.target), .bytes(contents), .integer(contents.count))
        }
        close(Self.target, what)
    }

    /// Binds the existing `path` of the new root onto itself, read-only.
    mutating func remountReadOnly(_ path: SandboxPath, _ what: String) {
        resolve(path, flags: KernelMountAPI.openPath, into: Self.target, what)
        add("\(what): open_tree", Int(SYS_open_tree), .slot(Self.target), .string(""),
            .integer(KernelMountAPI.openTreeClone | Int(O_CLOEXEC) | KernelMountAPI.atEmptyPath | KernelMountAPI.atRecursive),
            result: Self.mount)
        setAttributes([.readOnly, .noSuid, .noDev, .noExec], of: Self.mount, recursive: true, what)
        moveMount(Self.mount, what)
        close(Self.mount, what)
    }
}
