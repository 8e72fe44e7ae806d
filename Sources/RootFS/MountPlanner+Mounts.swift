import CContainment
import ContainmentSupport
import Glibc
import SystemPackage

extension MountPlanner {
    /// The steps of one entry of `mounts`.
    mutating func add(_ mount: Mount, at target: SandboxPath, source: HostEntry?) {
        let what = mount.description
        let slot = Self.mount
        switch mount.kind {
        case .bind(let path, let attributes, let recursive):
            cloneTree(path.string, recursive: recursive, into: slot, what)
            setAttributes(attributes, of: slot, recursive: recursive, what)
            place(slot, at: target, directory: source != .file, what)
        case .tmpfs(let options):
            newFilesystem("tmpfs", parameters: options.parameters, attributes: options.attributes, into: slot, what)
            place(slot, at: target, directory: true, what)
        case .proc:
            newFilesystem("proc", attributes: .restrictive, into: slot, what)
            place(slot, at: target, directory: true, what)
        case .sysfs:
            newFilesystem("sysfs", attributes: MountAttributes.restrictive.union(.readOnly), into: slot, what)
            place(slot, at: target, directory: true, what)
        case .mqueue:
            newFilesystem("mqueue", attributes: .restrictive, into: slot, what)
            place(slot, at: target, directory: true, what)
        case .minimalDevices:
            minimalDevices(at: target, what)
        case .overlay(let lower, let upper, let attributes):
            overlay(lower: lower, upper: upper, attributes: attributes, into: slot, what)
            place(slot, at: target, directory: true, what)
        case .symlink(let contents):
            symlink(contents, at: target, what)
        case .directory(let mode):
            makeDirectories(target, mode: mode, what)
        case .file(let contents, let mode):
            file(target, contents: contents, mode: mode, what)
        }
    }

    /// A tmpfs with the host's basic device nodes bound in, devpts, shm and
    /// links. The tmpfs is fresh, so its entries are made below its own
    /// descriptor, kept open once attached, with no lookup from the root.
    mutating func minimalDevices(at directory: SandboxPath, _ what: String) {
        let devices = Self.devices
        newFilesystem("tmpfs", parameters: [("mode", "755"), ("size", "65536")], attributes: [.noSuid, .noExec],
                      into: devices, what)
        makeDirectories(directory, what)
        attach(devices, at: directory, directory: true, keepingOpen: true, what)
        for device in ["null", "zero", "full", "random", "urandom", "tty"] {
            let step = "\(what): /dev/\(device)"
            cloneTree("/dev/" + device, recursive: false, into: Self.mount, step)
            attachInFresh(Self.mount, in: devices, name: device, directory: false, step)
        }
        newFilesystem("devpts", flags: ["newinstance"], parameters: [("ptmxmode", "0666"), ("mode", "0620")],
                      attributes: [.noSuid, .noExec], into: Self.mount, "\(what): devpts")
        attachInFresh(Self.mount, in: devices, name: "pts", directory: true, "\(what): devpts")
        newFilesystem("tmpfs", parameters: [("mode", "1777"), ("size", String(64 << 20))], attributes: .restrictive,
                      into: Self.mount, "\(what): shm")
        attachInFresh(Self.mount, in: devices, name: "shm", directory: true, "\(what): shm")
        let links = [("ptmx", "pts/ptmx"), ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                     ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")]
        for (name, contents) in links {
            add("\(what): link \(name)", Int(SYS_symlinkat), .string(contents), .slot(devices), .string(name))
        }
        close(devices, what)
        existing.formUnion([directory.appending("pts"), directory.appending("shm")])
    }

    /// An overlayfs over `lower` with `upper`, left detached in `slot`.
    mutating func overlay(lower: [FilePath], upper: OverlayUpper, attributes: MountAttributes, into slot: StepSlot, _ what: String) {
        let layers = lower.map { ("lowerdir+", $0.string) }
        switch upper.kind {
        case .directory(let upperPath, let work):
            newFilesystem("overlay", parameters: layers + [("upperdir", upperPath.string), ("workdir", work.string)],
                          attributes: attributes, into: slot, what)
        case .ephemeral(let size):
            let scratch = "\(what): upper tmpfs"
            newFilesystem("tmpfs", parameters: TmpfsOptions(size: size).parameters, attributes: [], into: Self.scratch, scratch)
            for (name, directorySlot) in [("upper", Self.upper), ("work", Self.work)] {
                add("\(scratch): mkdir \(name)", Int(SYS_mkdirat), .slot(Self.scratch), .string(name), .integer(0o755))
                add("\(scratch): open \(name)", Int(SYS_openat), .slot(Self.scratch), .string(name),
                    .integer(Int(KernelMountAPI.openPath | O_DIRECTORY | O_CLOEXEC)), result: directorySlot)
            }
            // The tmpfs stays open until overlayfs has cloned it: closing a
            // detached mount's last descriptor dissolves it.
            newFilesystem("overlay", parameters: layers, descriptors: [("upperdir", Self.upper), ("workdir", Self.work)],
                          attributes: attributes, into: slot, what)
            close(Self.scratch, scratch)
            close(Self.upper, scratch)
            close(Self.work, scratch)
        }
    }
}
