// System-library shim for libseccomp (Debian: libseccomp-dev).
#include <seccomp.h>
