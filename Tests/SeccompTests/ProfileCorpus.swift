/// Profiles written for the Docker (moby) format and OCI `linux.seccomp`
/// objects, used by the import tests.
enum ProfileCorpus {
    /// An allowlist in Docker's shape: archMap, includes/excludes on caps,
    /// arches and minKernel, masked argument conditions, a per-entry errno.
    static let dockerAllowlist = """
        {
          "defaultAction": "SCMP_ACT_ERRNO",
          "defaultErrnoRet": 1,
          "archMap": [
            {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
            {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
          ],
          "syscalls": [
            {"names": ["read", "write", "exit_group", "no_such_call_on_any_arch"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["mount", "umount2"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
            {"names": ["reboot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_BOOT", "CAP_SYS_ADMIN"]}},
            {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
            {"names": ["sync_file_range2"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["ppc64le"]}},
            {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
             "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
            {"names": ["landlock_create_ruleset"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.13"}},
            {"names": ["futuristic_call"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "99.1"}},
            {"name": "getppid", "action": "SCMP_ACT_LOG", "comment": "the legacy single-name form"}
          ]
        }
        """

    /// A denylist enforced in a sandbox: mkdir fails with EXDEV, non-unix
    /// sockets with EAFNOSUPPORT, keyctl kills.
    static let dockerDenylist = """
        {"defaultAction": "SCMP_ACT_ALLOW",
         "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
         "syscalls": [
           {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18},
           {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97,
            "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NE"}]},
           {"names": ["keyctl"], "action": "SCMP_ACT_KILL_PROCESS"}
         ]}
        """

    /// Two conditions on one argument: runc and Docker treat them as
    /// alternatives (separate rules).
    static let dockerSameIndex = """
        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
          {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
           "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 131072, "op": "SCMP_CMP_EQ"}]}]}
        """

    /// An OCI runtime-spec `linux.seccomp` object.
    static let oci = """
        {"defaultAction":"SCMP_ACT_KILL_PROCESS","architectures":["SCMP_ARCH_X86_64"],
         "syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
                     {"names":["openat"],"action":"SCMP_ACT_ERRNO","errnoRet":13,
                      "args":[{"index":2,"value":3,"valueTwo":1,"op":"SCMP_CMP_MASKED_EQ"}]},
                     {"names":["kill"],"action":"SCMP_ACT_TRAP"},
                     {"names":["uname"],"action":"SCMP_ACT_NOTIFY"},
                     {"names":["exit"],"action":"SCMP_ACT_KILL"}]}
        """

    /// Invalid profiles and where the error must point.
    static let invalid: [(json: String, code: String, field: String)] = [
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["write"],"action":"SCMP_ACT_EXPLODE"}]}"#,
         "invalid-action", "syscalls[1].action"),
        (#"{"defaultAction":"SCMP_ACT_TRACE"}"#, "invalid-action", "defaultAction"),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ABOUT"}]}]}"#,
         "invalid-condition", "syscalls[0].args[0].op"),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":7,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
         "invalid-condition", "syscalls[0].args[0]"),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_Z80"}]}"#,
         "invalid-architecture", "archMap[0].architecture"),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","x86"]}"#,
         "invalid-architecture", "architectures[1]"),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["vax"]}}]}"#,
         "invalid-architecture", "syscalls[0].includes.arches[0]"),
        (#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":70000}"#, "invalid-action", "defaultAction"),
        (#"{"syscalls":[]}"#, "invalid-profile", "profile"),
        (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}"#, "invalid-profile", "syscalls[0]"),
        (#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [}"#, "invalid-profile", "profile"),
    ]
}
