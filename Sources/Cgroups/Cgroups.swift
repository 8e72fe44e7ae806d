// The Cgroups layer (in progress).
