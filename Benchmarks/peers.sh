#!/usr/bin/env bash
# sandbox-run against its peers, as whole processes: bubblewrap with a
# seccomp filter and crun on an OCI bundle, all three with equivalent
# isolation and /bin/true as the payload. Prints hyperfine medians, the
# ratios sandbox-run/bwrap (goal <= 0.8) and sandbox-run/crun, and
# sandbox-run's own start-up.
#
# Equivalent isolation, in all three: user (root inside mapped to the
# caller), pid, mount, uts, ipc, network and cgroup namespaces; a root of
# /usr read-only with /bin, /lib, /lib64 links; a fresh /proc; a minimal /dev;
# the same seccomp filter (the SDK's default profile, exported as BPF for
# bwrap and as OCI JSON for crun); every capability dropped; no_new_privs;
# a hostname. No cgroup: sandbox-run and bwrap make none without limits,
# crun runs with --cgroup-manager=disabled.
#
#   Benchmarks/peers.sh [RUNS] [ROUNDS]     defaults: 200 runs a command, 3 rounds
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
rounds=${2:-3}

Scripts/setup.sh
need=()
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v crun >/dev/null || need+=(crun)
command -v hyperfine >/dev/null || need+=(hyperfine)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "peers: installing ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# A static Swift standard library: no dynamic relocation of the runtime at start-up.
swift build -c release --product sandbox-run --static-swift-stdlib >/dev/null
sandbox_run=$PWD/.build/release/sandbox-run

work=$(mktemp -d /tmp/containment-peers.XXXXXX)
holder=""
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; rm -rf "$work"' EXIT
"$sandbox_run" --seccomp default --export-seccomp-bpf "$work/default.bpf" --export-seccomp-oci "$work/seccomp.json"

# The OCI bundle: an empty root with the mount points and the merged-/usr links.
bundle=$work/bundle
mkdir -p "$bundle/rootfs/usr" "$bundle/rootfs/proc" "$bundle/rootfs/dev"
for link in bin lib lib64; do ln -s "usr/$link" "$bundle/rootfs/$link"; done
uid=$(id -u); gid=$(id -g)
python3 - "$bundle/config.json" "$work/seccomp.json" "$uid" "$gid" <<'PY'
import json, sys
path, seccomp, uid, gid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
caps = {k: [] for k in ("bounding", "effective", "inheritable", "permitted", "ambient")}
config = {
    "ociVersion": "1.0.2",
    "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"],
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/"],
                "cwd": "/", "capabilities": caps, "noNewPrivileges": True},
    "root": {"path": "rootfs", "readonly": True},
    "hostname": "bench",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro", "nosuid", "nodev"]},
    ],
    "linux": {
        "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount", "cgroup", "user")],
        "uidMappings": [{"containerID": 0, "hostID": uid, "size": 1}],
        "gidMappings": [{"containerID": 0, "hostID": gid, "size": 1}],
        "seccomp": json.load(open(seccomp)),
        "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"],
        "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
}
json.dump(config, open(path, "w"), indent=1)
PY

ours="$sandbox_run --hostname bench --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev --cap-drop ALL --seccomp default /bin/true"
bwrap_cmd() {
  echo "bwrap --unshare-all --unshare-user --uid 0 --gid 0 --hostname bench --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev --cap-drop ALL --new-session --die-with-parent --seccomp 9 /bin/true 9< $1"
}
bwrap="$(bwrap_cmd "$work/default.bpf")"
crun_cmd="crun --root $work/crun-state --cgroup-manager=disabled run --bundle $bundle peers-bench"

# crun refuses hybrid hosts whose cgroup2 mount holds any controller ("drop
# all controllers from cgroupv2"); such a host keeps its hierarchies as they
# are, so crun runs through nsenter in a mount namespace of this script's own
# where the cgroup2 mount is covered, and nsenter's cost is measured and
# subtracted from crun's figures.
crun_overhead=""
if ! $crun_cmd >/dev/null 2>"$work/err" && grep -q "hybrid mode not supported" "$work/err"; then
  unshare --mount --propagation private sh -c \
    'mount -t tmpfs none /sys/fs/cgroup/unified && echo ready && exec sleep 100000' >"$work/holder" &
  holder=$!
  for _ in $(seq 100); do grep -q ready "$work/holder" 2>/dev/null && break; sleep 0.05; done
  crun_cmd="nsenter --mount=/proc/$holder/ns/mnt $crun_cmd"
  crun_overhead="nsenter --mount=/proc/$holder/ns/mnt /bin/true"
  echo "peers: crun runs via nsenter (hybrid host with controllers in cgroup2); its nsenter cost is subtracted"
fi

# Every tool must succeed before it is timed.
for command in "$ours" "$bwrap" "$crun_cmd"; do
  if ! bash -c "$command" >/dev/null 2>"$work/err"; then echo "peers: failed: $command"; cat "$work/err"; exit 1; fi
done

extra=()
docker_bpf=${DOCKER_BPF:-../shared/bench/docker-tree.bpf}
[ -f "$docker_bpf" ] && extra=("$(bwrap_cmd "$(cd "$(dirname "$docker_bpf")" && pwd)/$(basename "$docker_bpf")")")

# median_ms CSV ROW: the median column (seconds) of row ROW (1-based), in ms.
median_ms() { awk -F, -v row="$2" 'NR == row + 1 { printf "%.3f", $4 * 1000 }' "$1"; }
median_of() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "whole-process runs of /bin/true, $runs runs a command, $rounds rounds, warmed up ($(nproc) cores, $(uname -r))"
declare -a r_ours r_bwrap r_crun r_docker r_vs_bwrap r_vs_crun
for round in $(seq "$rounds"); do
  # Rotate the order each round so drift and warmth hit every tool alike.
  case $((round % 3)) in
    1) order=(ours bwrap crun) ;;
    2) order=(bwrap crun ours) ;;
    0) order=(crun ours bwrap) ;;
  esac
  commands=()
  for name in "${order[@]}"; do
    case $name in ours) commands+=("$ours") ;; bwrap) commands+=("$bwrap") ;; crun) commands+=("$crun_cmd") ;; esac
  done
  hyperfine --style none --warmup 20 --runs "$runs" --export-csv "$work/round.csv" "${commands[@]}" "${extra[@]}" >/dev/null
  for i in "${!order[@]}"; do
    value=$(median_ms "$work/round.csv" $((i + 1)))
    case ${order[$i]} in ours) o=$value ;; bwrap) b=$value ;; crun) c=$value ;; esac
  done
  d=""; [ ${#extra[@]} -gt 0 ] && d=$(median_ms "$work/round.csv" 4)
  if [ -n "$crun_overhead" ]; then
    hyperfine --style none --warmup 20 --runs "$runs" --export-csv "$work/overhead.csv" "$crun_overhead" >/dev/null
    c=$(awk -v c="$c" -v o="$(median_ms "$work/overhead.csv" 1)" 'BEGIN { printf "%.3f", c - o }')
  fi
  r_ours+=("$o"); r_bwrap+=("$b"); r_crun+=("$c"); [ -n "$d" ] && r_docker+=("$d")
  r_vs_bwrap+=("$(awk -v a="$o" -v b="$b" 'BEGIN { printf "%.3f", a / b }')")
  r_vs_crun+=("$(awk -v a="$o" -v b="$c" 'BEGIN { printf "%.3f", a / b }')")
  printf '  round %d: sandbox-run %7.3f ms   bwrap %7.3f ms   crun %7.3f ms%s   ratios %s / %s\n' "$round" "$o" "$b" "$c" \
    "${d:+   bwrap+docker-tree.bpf $d ms}" "${r_vs_bwrap[-1]}" "${r_vs_crun[-1]}"
done
printf '%-40s %s ms\n' "sandbox-run median" "$(printf '%s\n' "${r_ours[@]}" | median_of)"
printf '%-40s %s ms\n' "bwrap (same filter as BPF) median" "$(printf '%s\n' "${r_bwrap[@]}" | median_of)"
[ ${#r_docker[@]} -gt 0 ] && printf '%-40s %s ms\n' "bwrap (docker-tree.bpf) median" "$(printf '%s\n' "${r_docker[@]}" | median_of)"
printf '%-40s %s ms\n' "crun run median" "$(printf '%s\n' "${r_crun[@]}" | median_of)"
printf '%-40s %s   (goal <= 0.8)\n' "ratio sandbox-run / bwrap" "$(printf '%s\n' "${r_vs_bwrap[@]}" | median_of)"
printf '%-40s %s\n' "ratio sandbox-run / crun" "$(printf '%s\n' "${r_vs_crun[@]}" | median_of)"

# Start-up of the CLI itself: no sandbox at all, and the lightest sandbox.
hyperfine --style none -N --warmup 20 --runs "$runs" --export-csv "$work/startup.csv" \
  "$sandbox_run --version" "$sandbox_run --help" "$sandbox_run --namespaces none --seccomp none /bin/true" "/bin/true" >/dev/null
printf '%-40s %s ms\n' "start-up: sandbox-run --version" "$(median_ms "$work/startup.csv" 1)"
printf '%-40s %s ms\n' "start-up: sandbox-run --help" "$(median_ms "$work/startup.csv" 2)"
printf '%-40s %s ms\n' "sandbox-run, no namespaces, /bin/true" "$(median_ms "$work/startup.csv" 3)"
printf '%-40s %s ms\n' "/bin/true alone" "$(median_ms "$work/startup.csv" 4)"
