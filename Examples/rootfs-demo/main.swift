// The rootfs-demo example (in progress).
