// The Seccomp layer (in progress).
