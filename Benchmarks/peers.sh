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

# A fully static executable: no dynamic loader, no symbol binding at start-up
# (libseccomp.a and libcap.a come with the -dev packages Scripts/setup.sh
# installs). Every module, swift-argument-parser's too, reaches the metadata
# of its generic types through direct accessors rather than mangled names,
# which a fresh process would otherwise demangle and check against every
# protocol conformance in the binary (about 6% of a run).
if ! log=$(swift build -c release --product sandbox-run -Xswiftc -static-executable \
             -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
             --build-path .build-static 2>&1); then
  echo "$log"; exit 1
fi
sandbox_run=$PWD/.build-static/release/sandbox-run

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

ours_base="$sandbox_run --hostname bench --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev --cap-drop ALL --seccomp default"
# As bwrap: the OCI default /proc and /sys masks off (crun applies them, from config.json).
ours="$ours_base --no-masks /bin/true"
ours_masked="$ours_base /bin/true"
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
for command in "$ours" "$ours_masked" "$bwrap" "$crun_cmd"; do
  if ! bash -c "$command" >/dev/null 2>"$work/err"; then echo "peers: failed: $command"; cat "$work/err"; exit 1; fi
done

# The commands timed, by name; bwrap also with the Docker-sized filter of
# ../shared/bench when it is there.
names=(ours ours_masked bwrap crun)
declare -A command_of=([ours]="$ours" [ours_masked]="$ours_masked" [bwrap]="$bwrap" [crun]="$crun_cmd")
declare -A label_of=([ours]="sandbox-run (as bwrap: no /proc masks)" [ours_masked]="sandbox-run (OCI /proc masks, as crun)"
                     [bwrap]="bwrap (same filter as BPF)" [crun]="crun run" [docker]="bwrap (docker-tree.bpf)")
docker_bpf=${DOCKER_BPF:-../shared/bench/docker-tree.bpf}
if [ -f "$docker_bpf" ]; then
  names+=(docker)
  command_of[docker]="$(bwrap_cmd "$(cd "$(dirname "$docker_bpf")" && pwd)/$(basename "$docker_bpf")")"
fi

# median_ms CSV ROW: the median column (seconds) of row ROW (1-based), in ms.
median_ms() { awk -F, -v row="$2" 'NR == row + 1 { printf "%.3f", $4 * 1000 }' "$1"; }
median_of() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "whole-process runs of /bin/true, $runs runs a command, $rounds rounds, warmed up ($(nproc) cores, $(uname -r))"
declare -A all
vs_bwrap=(); vs_crun=()
for round in $(seq "$rounds"); do
  # Rotate the order each round so drift and warmth hit every tool alike.
  order=("${names[@]:$(( (round - 1) % ${#names[@]} ))}" "${names[@]:0:$(( (round - 1) % ${#names[@]} ))}")
  commands=()
  for name in "${order[@]}"; do commands+=("${command_of[$name]}"); done
  hyperfine --style none --warmup 20 --runs "$runs" --export-csv "$work/round.csv" "${commands[@]}" >/dev/null
  declare -A now=()
  for i in "${!order[@]}"; do now[${order[$i]}]=$(median_ms "$work/round.csv" $((i + 1))); done
  if [ -n "$crun_overhead" ]; then
    hyperfine --style none --warmup 20 --runs "$runs" --export-csv "$work/overhead.csv" "$crun_overhead" >/dev/null
    now[crun]=$(awk -v c="${now[crun]}" -v o="$(median_ms "$work/overhead.csv" 1)" 'BEGIN { printf "%.3f", c - o }')
  fi
  line="  round $round:"
  for name in "${names[@]}"; do all[$name]+="${now[$name]} "; line+=" $name ${now[$name]} ms"; done
  vs_bwrap+=("$(ratio "${now[ours]}" "${now[bwrap]}")")
  vs_crun+=("$(ratio "${now[ours_masked]}" "${now[crun]}")")
  echo "$line   ratios ${vs_bwrap[-1]} / ${vs_crun[-1]}"
done
for name in "${names[@]}"; do
  printf '%-44s %s ms\n' "${label_of[$name]} median" "$(printf '%s\n' ${all[$name]} | median_of)"
done
printf '%-44s %s   (goal <= 0.8)\n' "ratio sandbox-run / bwrap" "$(printf '%s\n' "${vs_bwrap[@]}" | median_of)"
printf '%-44s %s\n' "ratio sandbox-run / crun (both with masks)" "$(printf '%s\n' "${vs_crun[@]}" | median_of)"

# Start-up of the CLI itself: no sandbox at all, and the lightest sandbox.
hyperfine --style none -N --warmup 20 --runs "$runs" --export-csv "$work/startup.csv" \
  "$sandbox_run --version" "$sandbox_run --help" "$sandbox_run --namespaces none --seccomp none /bin/true" "/bin/true" >/dev/null
printf '%-44s %s ms\n' "start-up: sandbox-run --version" "$(median_ms "$work/startup.csv" 1)"
printf '%-44s %s ms\n' "start-up: sandbox-run --help" "$(median_ms "$work/startup.csv" 2)"
printf '%-44s %s ms\n' "sandbox-run, no namespaces, /bin/true" "$(median_ms "$work/startup.csv" 3)"
printf '%-44s %s ms\n' "/bin/true alone" "$(median_ms "$work/startup.csv" 4)"
