import Containment
import ContainmentSupport

/// A JSON object written by hand (no Foundation, for a fast start), its
/// members in insertion order.
struct JSONObject {
    private var members: [String] = []

    /// Adds a string member.
    mutating func add(_ key: String, _ value: String) { members.append(key.jsonQuoted + ":" + value.jsonQuoted) }
    /// Adds an integer member.
    mutating func add(_ key: String, _ value: some BinaryInteger) { members.append(key.jsonQuoted + ":" + String(value)) }
    /// Adds a Boolean member.
    mutating func add(_ key: String, _ value: Bool) { members.append(key.jsonQuoted + ":" + (value ? "true" : "false")) }
    /// Adds an object member.
    mutating func add(_ key: String, _ value: JSONObject) { members.append(key.jsonQuoted + ":" + value.text) }
    /// Adds an array of objects.
    mutating func add(_ key: String, _ values: [JSONObject]) {
        members.append(key.jsonQuoted + ":[" + values.map(\.text).joined(separator: ",") + "]")
    }
    /// Adds a string member, or null.
    mutating func add(_ key: String, _ value: String?) {
        if let value { add(key, value) } else { members.append(key.jsonQuoted + ":null") }
    }

    /// The object as JSON text, on one line.
    var text: String { "{" + members.joined(separator: ",") + "}" }
}

/// The JSON sandbox-run prints with --json.
enum JSONOutput {
    /// `{"exitCode":…, "termination":{…}, "verdict":{…}, "usage":{…}}`.
    static func result(_ result: SandboxResult, exitCode: Int32) -> String {
        var object = JSONObject()
        object.add("exitCode", exitCode)
        var termination = JSONObject()
        switch result.termination {
        case .exited(let code):
            termination.add("kind", "exited")
            termination.add("code", code)
        case .signaled(let signal):
            termination.add("kind", "signaled")
            termination.add("signal", signal.rawValue)
            termination.add("signalName", signal.description)
        }
        object.add("termination", termination)
        var verdict = JSONObject()
        verdict.add("code", result.verdict.code)
        verdict.add("description", result.verdict.description)
        if let call = result.verdict.violatingSystemCall { verdict.add("systemCall", call) }
        object.add("verdict", verdict)
        var usage = JSONObject()
        usage.add("wallTimeMicroseconds", microseconds(result.usage.wallTime))
        usage.add("userTimeMicroseconds", microseconds(result.usage.userTime))
        usage.add("systemTimeMicroseconds", microseconds(result.usage.systemTime))
        usage.add("peakMemoryBytes", result.usage.peakMemory)
        object.add("usage", usage)
        return object.text
    }

    /// `{"exitCode":125, "error":{"code":…, "field":…, "flag":…, "message":…}}`.
    static func error(code: String, field: String?, flag: String?, message: String, exitCode: Int32) -> String {
        var error = JSONObject()
        error.add("code", code)
        error.add("field", field)
        error.add("flag", flag)
        error.add("message", message)
        var object = JSONObject()
        object.add("exitCode", exitCode)
        object.add("error", error)
        return object.text
    }

    /// `{"supported":…, "items":[{"name":…, "supported":…, "detail":…, "remedy":…}]}`.
    static func report(_ report: HostReport) -> String {
        var object = JSONObject()
        object.add("supported", report.items.allSatisfy(\.supported))
        object.add("items", report.items.map { item in
            var entry = JSONObject()
            entry.add("name", item.name)
            entry.add("supported", item.supported)
            entry.add("detail", item.detail)
            entry.add("remedy", item.supported ? nil : item.remedy)
            return entry
        })
        return object.text
    }

    private static func microseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }
}
