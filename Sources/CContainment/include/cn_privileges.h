// Host-side helpers of the Capabilities layer for calls Swift cannot make
// (variadic prctl(2) and syscall(2)): Landlock rulesets, which the parent
// builds once and the child only restricts itself with, and securebits.
#ifndef CN_PRIVILEGES_H
#define CN_PRIVILEGES_H

#include <stddef.h>
#include <stdint.h>

/// landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION): the
/// kernel's Landlock ABI version, or a negated errno (-ENOSYS, -EOPNOTSUPP).
int cn_landlock_abi(void);

/// landlock_create_ruleset(attr, size, 0): a close-on-exec ruleset
/// descriptor, or a negated errno.
int cn_landlock_create_ruleset(const void *attr, size_t size);

/// landlock_add_rule(ruleset, type, attr, 0): 0 or a negated errno.
int cn_landlock_add_rule(int ruleset, int type, const void *attr);

/// prctl(PR_GET_SECUREBITS): the calling thread's securebits, or a negated errno.
int cn_get_securebits(void);

#endif
