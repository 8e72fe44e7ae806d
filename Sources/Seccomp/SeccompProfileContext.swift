import Glibc

/// What a Docker profile's `includes` and `excludes` are evaluated against:
/// the sandbox's architecture, capabilities and kernel.
public struct SeccompProfileContext: Sendable, Hashable {
    /// Go architecture name, as Docker profiles use it ("amd64", "arm64").
    public var architecture: String
    /// Capability names the payload holds ("CAP_SYS_ADMIN").
    public var capabilities: Set<String>
    /// Kernel version (major, minor) for `minKernel`.
    public var kernelVersion: (major: Int, minor: Int)

    /// The native architecture, no capabilities, the running kernel (uname(2)).
    public init(capabilities: Set<String> = [], kernelVersion: (major: Int, minor: Int)? = nil) {
        self.architecture = Self.nativeGoArchitecture
        self.capabilities = capabilities
        self.kernelVersion = kernelVersion ?? Self.runningKernel
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.architecture == rhs.architecture && lhs.capabilities == rhs.capabilities
            && lhs.kernelVersion == rhs.kernelVersion
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(architecture)
        hasher.combine(capabilities)
        hasher.combine(kernelVersion.major)
        hasher.combine(kernelVersion.minor)
    }

    #if arch(x86_64)
    static let nativeGoArchitecture = "amd64"
    /// The libseccomp name of the native architecture.
    static let nativeArchitecture = "SCMP_ARCH_X86_64"
    #elseif arch(arm64)
    static let nativeGoArchitecture = "arm64"
    static let nativeArchitecture = "SCMP_ARCH_AARCH64"
    #endif

    /// libseccomp architecture names profiles may list (`SCMP_ARCH_*`).
    static let architectures: Set<String> = [
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
        "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
        "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ]

    /// Go architecture names `includes.arches` may use.
    static let goArchitectures: Set<String> = [
        "386", "amd64", "x32", "arm", "arm64", "mips", "mipsle", "mips64", "mips64le", "mips64n32", "mips64len32",
        "ppc", "ppc64", "ppc64le", "s390", "s390x", "parisc", "parisc64", "riscv64", "loong64", "m68k", "sh", "sheb",
    ]

    static var runningKernel: (major: Int, minor: Int) {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return parseVersion(release) ?? (0, 0)
    }

    /// "5.8" or "6.1.0-13-amd64" as (major, minor).
    static func parseVersion(_ text: String) -> (major: Int, minor: Int)? {
        let parts = text.split(separator: ".", maxSplits: 2).map { $0.prefix { $0.isNumber } }
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return (major, minor)
    }
}
