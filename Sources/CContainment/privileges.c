#define _GNU_SOURCE
#include "cn_privileges.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#endif

static int cn_result_or_errno(long r) { return r < 0 ? -errno : (int)r; }

int cn_landlock_abi(void) {
    return cn_result_or_errno(syscall(SYS_landlock_create_ruleset, NULL, 0, 1U /* LANDLOCK_CREATE_RULESET_VERSION */));
}

int cn_landlock_create_ruleset(const void *attr, size_t size) {
    return cn_result_or_errno(syscall(SYS_landlock_create_ruleset, attr, size, 0U));
}

int cn_landlock_add_rule(int ruleset, int type, const void *attr) {
    return cn_result_or_errno(syscall(SYS_landlock_add_rule, ruleset, type, attr, 0U));
}

int cn_get_securebits(void) { return cn_result_or_errno(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0)); }
