import Containment
let r = try await Sandbox().run("/bin/sh", ["-c", "echo pid $$; id; hostname; cat /proc/self/uid_map"], output: .string())
print(r.termination, r.verdict, r.standardOutput)
