// The umbrella module: `import Containment` brings every layer.
@_exported import Capabilities
@_exported import Cgroups
@_exported import Namespaces
@_exported import RootFS
@_exported import Seccomp
@_exported import SystemPackage
