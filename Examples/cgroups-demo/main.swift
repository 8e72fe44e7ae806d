// The cgroups-demo example (in progress).
