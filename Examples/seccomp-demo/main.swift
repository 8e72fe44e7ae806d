// The seccomp-demo example (in progress).
