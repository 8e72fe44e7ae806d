import Glibc

/// The environment variables a payload starts with.
public struct Environment: Sendable, Hashable {
    fileprivate enum Base: Hashable { case clean, inherit, empty }
    fileprivate var base: Base
    fileprivate var overrides: [String: String?]

    /// A minimal clean environment, not the host's: a standard PATH and HOME=/.
    public static let clean = Environment(base: .clean, overrides: [:])
    /// The host process's environment at spawn time.
    public static let inherit = Environment(base: .inherit, overrides: [:])
    /// Exactly `variables`.
    public static func custom(_ variables: [String: String]) -> Environment {
        Environment(base: .empty, overrides: variables.mapValues { $0 })
    }

    /// Returns this environment with `variables` set (a nil value unsets).
    public func updating(_ variables: [String: String?]) -> Environment {
        var copy = self
        copy.overrides.merge(variables) { $1 }
        return copy
    }

    /// The PATH used by `.clean`.
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The variables, resolved against the host's environment for `.inherit`.
    public var resolved: [String: String] {
        var variables: [String: String] = [:]
        switch base {
        case .clean: variables = ["PATH": Self.defaultPath, "HOME": "/"]
        case .empty: break
        case .inherit:
            var entry = environ
            while let pointer = entry.pointee {
                let text = String(cString: pointer)
                if let equals = text.firstIndex(of: "=") {
                    variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
                }
                entry += 1
            }
        }
        for (name, value) in overrides { variables[name] = value }
        return variables
    }
}
