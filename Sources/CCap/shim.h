// System-library shim for libcap (Debian: libcap-dev).
#include <sys/capability.h>
