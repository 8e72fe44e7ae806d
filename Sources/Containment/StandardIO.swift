import ContainmentSupport
import Glibc
import SystemPackage

/// The three standard descriptors of one spawn: what the child gets, and the
/// parent's ends of any pipes.
struct StandardIO {
    /// Descriptors placed at 0, 1 and 2 in the child.
    var childDescriptors: [Int32] = []
    /// The parent's copies of pipe ends the child keeps; closed after clone.
    var closeAfterClone: [Int32] = []
    var input: ByteSink?
    var inputBytes: [UInt8]?
    var output: ByteStream?
    var error: ByteStream?
    var outputCollection: OutputCollection?
    var errorCollection: OutputCollection?

    init(input: InputOption, output: OutputOption, error: OutputOption) throws {
        do {
            switch input.kind {
            case .null: childDescriptors.append(try DevNull.descriptor())
            case .inherit: childDescriptors.append(0)
            case .fileDescriptor(let fd): childDescriptors.append(fd.rawValue)
            case .bytes(let bytes):
                let pipe = try makePipe()
                self.input = ByteSink(taking: pipe.write)
                inputBytes = bytes
                adopt(pipe.read)
            case .pipe:
                let pipe = try makePipe()
                self.input = ByteSink(taking: pipe.write)
                adopt(pipe.read)
            }
            (self.output, outputCollection) = try place(output, hostDescriptor: 1)
            (self.error, errorCollection) = try place(error, hostDescriptor: 2)
        } catch {
            closeChildEnds()
            throw error
        }
    }

    private mutating func adopt(_ childEnd: FileDescriptor) {
        childDescriptors.append(childEnd.rawValue)
        closeAfterClone.append(childEnd.rawValue)
    }

    private mutating func place(_ option: OutputOption, hostDescriptor: Int32) throws -> (ByteStream?, OutputCollection?) {
        switch option.kind {
        case .null: childDescriptors.append(try DevNull.descriptor())
        case .inherit: childDescriptors.append(hostDescriptor)
        case .fileDescriptor(let fd): childDescriptors.append(fd.rawValue)
        case .collect(let collection): return (try outputPipe(), collection)
        case .stream: return (try outputPipe(), nil)
        }
        return (nil, nil)
    }

    private mutating func outputPipe() throws -> ByteStream {
        let pipe = try makePipe()
        adopt(pipe.write)
        return ByteStream(taking: pipe.read)
    }

    /// Closes the parent's copies of the child's pipe ends.
    func closeChildEnds() {
        for fd in closeAfterClone { close(fd) }
    }
}
