// The RootFS layer (in progress).
