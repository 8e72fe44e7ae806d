#!/usr/bin/env bash
# Runs a command on a pure cgroup v2 kernel: boots a qemu guest with Debian's
# generic kernel (cgroup_no_v1=all), the host's root shared read-only over 9p
# under a tmpfs overlay (so tests can write anywhere), cgroup2 mounted with
# every controller enabled at the root, and runs the command there as root in
# the current directory. Exits with the command's status. With --v1 the guest
# is a pure cgroup v1 host instead: one v1 hierarchy per controller (cpu and
# cpuacct together) and no cgroup2 mount.
#
#   Scripts/cgroup2-vm.sh [--timeout SECONDS] [--v1] COMMAND [ARGUMENT...]
#
# The cgroup tests on pure v2 (and with --v1 on pure v1):
#   Scripts/cgroup2-vm.sh .build/debug/swift-containmentPackageTests.xctest \
#       --testing-library swift-testing --filter CgroupsTests
#
# Needs root (9p passthrough). Installs qemu-system-x86 and busybox-static
# when missing; the kernel (apt-get download, never installed on the host),
# the uncompressed vmlinux and the initramfs are cached in .vm-cache/.
# KVM is not required: under TCG a boot takes ~3 s and a process start
# ~25 ms, so keep the command's work modest.
set -euo pipefail

timeout=900
shape=v2
while [[ ${1:-} == --* ]]; do
    case $1 in
        --timeout) timeout=$2; shift 2 ;;
        --v1) shape=v1; shift ;;
        *) break ;;
    esac
done
if [[ $# -eq 0 ]]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
[[ $(id -u) -eq 0 ]] || { echo "cgroup2-vm: needs root (9p passthrough of the host root)" >&2; exit 2; }

project=$(cd "$(dirname "$0")/.." && pwd)
cache=$project/.vm-cache
mkdir -p "$cache"

# --- Host tools ------------------------------------------------------------
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
[[ -x /bin/busybox ]] || missing+=(busybox-static)
if ((${#missing[@]})); then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

# --- Kernel: Debian's generic flavour (the cloud one has no 9p) -------------
if [[ ! -f $cache/vmlinux || ! -d $cache/modules ]]; then
    package=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    [[ -n $package ]] || { echo "cgroup2-vm: no linux-image-amd64 candidate; run apt-get update" >&2; exit 2; }
    rm -rf "$cache/download" "$cache/kernel" "$cache/modules"
    mkdir -p "$cache/download"
    (cd "$cache/download" && apt-get download "$package" >&2)
    dpkg-deb -x "$cache"/download/*.deb "$cache/kernel"
    # Unpacking a compressed kernel under emulation costs seconds: boot the
    # ELF inside the bzImage (the logic of the kernel's extract-vmlinux).
    python3 - "$cache"/kernel/boot/vmlinuz-* "$cache/vmlinux" <<'PY'
import gzip, lzma, sys, zlib
data = open(sys.argv[1], "rb").read()
for magic, unpack in ((b"\xfd7zXZ\x00", lambda b: lzma.LZMADecompressor().decompress(b)),
                      (b"\x1f\x8b\x08", lambda b: zlib.decompressobj(31).decompress(b))):
    start = data.find(magic)
    while start >= 0:
        try:
            elf = unpack(data[start:])
            if elf.startswith(b"\x7fELF"):
                open(sys.argv[2], "wb").write(elf)
                sys.exit(0)
        except Exception:
            pass
        start = data.find(magic, start + 1)
sys.exit("cgroup2-vm: no xz or gzip ELF kernel inside " + sys.argv[1])
PY
    # 9p, virtio-mmio and overlay are modules of the generic kernel.
    mkdir -p "$cache/modules"
    for module in virtio_ring virtio virtio_mmio virtio_console 9pnet 9pnet_virtio netfs fscache 9p overlay; do
        file=$(find "$cache/kernel/lib/modules" -name "$module.ko*" | head -n 1)
        [[ -n $file ]] || continue   # built into this kernel
        case $file in
            *.xz) xz -dc "$file" > "$cache/modules/$module.ko" ;;
            *.zst) zstd -qdc "$file" > "$cache/modules/$module.ko" ;;
            *) cp "$file" "$cache/modules/$module.ko" ;;
        esac
    done
    rm -f "$cache"/initramfs*.cpio
fi

# --- Initramfs: busybox, the modules, and an init that builds the root -------
# Named after this script's contents, so that an edit of the init below is
# never run from an older cached image.
initramfs=$cache/initramfs-$(sha256sum "$0" | cut -c1-16).cpio
if [[ ! -f $initramfs ]]; then
    rm -f "$cache"/initramfs*.cpio
    staging=$(mktemp -d)
    mkdir -p "$staging"/{bin,dev,proc,sys,mnt/host,mnt/upper,mnt/root,modules}
    cp /bin/busybox "$staging/bin/busybox"
    cp "$cache"/modules/*.ko "$staging/modules/"
    cat > "$staging/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in virtio_ring virtio virtio_mmio virtio_console 9pnet 9pnet_virtio netfs fscache 9p overlay; do
    [ -f /modules/$module.ko ] && insmod /modules/$module.ko
done
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000 hostroot /mnt/host
mount -t tmpfs -o mode=755 tmpfs /mnt/upper
mkdir -p /mnt/upper/upper /mnt/upper/work
mount -t overlay -o lowerdir=/mnt/host,upperdir=/mnt/upper/upper,workdir=/mnt/upper/work overlay /mnt/root
for fs in proc sys dev; do mount --move /$fs /mnt/root/$fs; done
cp /stage2 /mnt/root/.cgroup2-vm-stage2
# switch_root, not chroot: user namespaces refuse a chrooted caller.
exec switch_root /mnt/root /bin/busybox sh /.cgroup2-vm-stage2
INIT
    cat > "$staging/stage2" <<'STAGE2'
bb=/bin/busybox
command=$($bb sed -n 's/.*cgroup2_vm_command=\([^ ]*\).*/\1/p' /proc/cmdline)
# A fresh /tmp, except that a project kept under /tmp stays visible in it.
$bb mkdir -p /.host-tmp
$bb mount --bind /tmp /.host-tmp
$bb mount -t tmpfs -o mode=1777 tmpfs /tmp
case $command in /tmp/*)
    top=${command#/tmp/}; top=${top%%/*}
    $bb mkdir -p "/tmp/$top" && $bb mount --bind "/.host-tmp/$top" "/tmp/$top" ;;
esac
$bb mount -t tmpfs tmpfs /run
if $bb grep -q cgroup_vm_shape=v1 /proc/cmdline; then
    # Pure v1: one hierarchy per controller (cpu and cpuacct together), no cgroup2.
    $bb mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
    for controllers in cpu,cpuacct cpuset memory pids freezer blkio devices; do
        $bb mkdir -p /sys/fs/cgroup/$controllers
        $bb mount -t cgroup -o $controllers cgroup /sys/fs/cgroup/$controllers
    done
    $bb ln -s cpu,cpuacct /sys/fs/cgroup/cpu
    $bb ln -s cpu,cpuacct /sys/fs/cgroup/cpuacct
else
    $bb mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
    for controller in $($bb cat /sys/fs/cgroup/cgroup.controllers); do
        echo "+$controller" > /sys/fs/cgroup/cgroup.subtree_control
    done
fi
$bb ip link set lo up
(. "$command")
status=$?
port=$($bb ls /dev/vport*p1 2>/dev/null | $bb head -n 1)
echo "$status" > "${port:-/dev/null}"
$bb sync
$bb poweroff -f
STAGE2
    chmod +x "$staging/init"
    (cd "$staging" && find . | busybox cpio -o -H newc > "$initramfs" 2>/dev/null)
    rm -rf "$staging"
fi

# --- The command, run from the current directory --------------------------
# Under the project: the guest sees it wherever it is (also under /tmp).
work=$(mktemp -d "$cache/run.XXXXXX")
qemu_pid=
cleanup() {
    if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then kill -9 "$qemu_pid" 2>/dev/null || true; fi
    [[ -n ${tail_pid:-} ]] && kill "$tail_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
{
    printf 'cd %q || exit 125\n' "$PWD"
    [[ -n ${CONTAINMENT_REQUIRE_PRIVILEGED:-} ]] && printf 'export CONTAINMENT_REQUIRE_PRIVILEGED=%q\n' "$CONTAINMENT_REQUIRE_PRIVILEGED"
    printf 'export PATH=%q HOME=/root\n' "$PATH"
    printf '%q ' "$@"
    printf '\n'
} > "$work/command"
# The guest reads the command from the shared root (path on the kernel command line).
command_file=$work/command

khz=$(awk -F: '/^cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)
: > "$work/console"
: > "$work/status"
qemu-system-x86_64 \
    -machine microvm,acpi=on,rtc=on,pit=on,pic=on,isa-serial=on -accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
    -nodefaults -no-user-config -display none -no-reboot \
    -kernel "$cache/vmlinux" -initrd "$initramfs" \
    -append "console=ttyS0 rdinit=/init $([[ $shape == v1 ]] && echo cgroup_vm_shape=v1 || echo cgroup_no_v1=all) panic=-1 tsc_early_khz=${khz:-2000000} tsc=reliable no_timer_check mitigations=off quiet cgroup2_vm_command=$command_file" \
    -chardev file,id=console,path="$work/console" -serial chardev:console \
    -fsdev local,id=hostroot,path=/,security_model=passthrough,readonly=on,multidevs=remap \
    -device virtio-9p-device,fsdev=hostroot,mount_tag=hostroot \
    -device virtio-serial-device -chardev file,id=status,path="$work/status" -device virtserialport,chardev=status,name=status \
    >"$work/qemu.log" 2>&1 &
qemu_pid=$!
tail -n +1 -f --pid="$qemu_pid" "$work/console" &
tail_pid=$!

deadline=$((SECONDS + timeout))
while kill -0 "$qemu_pid" 2>/dev/null; do
    if ((SECONDS > deadline)); then
        echo "cgroup2-vm: the guest did not finish within $timeout s; killed" >&2
        exit 124
    fi
    sleep 0.2
done
wait "$tail_pid" 2>/dev/null || true
status=$(tr -dc '0-9' < "$work/status")
if [[ -z $status ]]; then
    echo "cgroup2-vm: the guest reported no status (see above); qemu said:" >&2
    cat "$work/qemu.log" >&2
    exit 125
fi
exit "$status"
