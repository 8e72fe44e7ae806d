#!/usr/bin/env bash
# Times swift-containment's spawn path against the physical limit of this
# machine, measured in the same run by nsbench (../../shared/bench), and
# prints each ratio with its goal. Within a round the two tools alternate, so
# drift hits both; each figure is the median of the rounds' ratios.
#
#   Benchmarks/compare.sh [N] [ROUNDS] [SECTION...]   defaults: 500 spawns, 5 rounds, all sections
#
# Sections: namespaces bighost rootfs cgroups seccomp full oneshot pooled
# throughput syscalls density peers (the last runs peers.sh: sandbox-run
# against bubblewrap and crun as whole processes).
#
# Two kinds of figure:
#   whole    ours(SPEC) / limit(SPEC): a spawn → exit → reap as a whole;
#   added    what a layer adds: (ours(SPEC+X) − ours(SPEC)) / (limit(SPEC+X) − limit(SPEC)).
set -euo pipefail
cd "$(dirname "$0")"
count=${1:-500}
rounds=${2:-5}
shift $(($# < 2 ? $# : 2))
sections=${*:-namespaces bighost rootfs cgroups seccomp full oneshot pooled throughput syscalls density peers}
wants() { [[ " $sections " == *" $1 "* ]]; }
nsbench=${NSBENCH:-../../shared/bench/nsbench}
bpf=$(dirname "$nsbench")/docker-tree.bpf
[ -x "$nsbench" ] || { echo "compare.sh: nsbench not found at $nsbench (set NSBENCH)"; exit 2; }
../Scripts/setup.sh
swift build -c release --product containment-bench >/dev/null
ours=.build/release/containment-bench
# nsbench's root=usr builds its root in /tmp/research-d/newroot; made here,
# and removed at exit unless it was there before.
if [ ! -e /tmp/research-d ]; then trap 'rm -rf /tmp/research-d' EXIT; fi
mkdir -p /tmp/research-d/newroot

# median_us TOOL ENV SPEC: the median of one timed run, in microseconds.
median_us() {
  env $2 "$1" "$count" "$3" 2>/dev/null | awk -v spec="$3" '$1 == spec { print $3; exit }'
}
median() { sort -n | awk '{ r[NR] = $1 } END { print r[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# whole LABEL GOAL ENV OUR_SPEC LIMIT_SPEC
whole() {
  local ratios=() a b
  for _ in $(seq "$rounds"); do
    a=$(median_us "$ours" "$3" "$4"); b=$(median_us "$nsbench" "$3" "$5")
    ratios+=("$(ratio "$a" "$b")")
    printf '    ours %8.1f us   limit %8.1f us   ratio %s\n' "$a" "$b" "${ratios[-1]}"
  done
  printf '%-44s median ratio %s   (goal %s)\n' "$1" "$(printf '%s\n' "${ratios[@]}" | median)" "$2"
}

# pair_us TOOL BASE SPEC: the medians of BASE and of SPEC, timed back to
# back by one process of TOOL, in microseconds.
pair_us() {
  "$1" "$count" "$2" "$3" 2>/dev/null | awk -v base="$2" -v spec="$3" '$1 == base { a = $3 } $1 == spec { b = $3 } END { print a, b }'
}

# added LABEL GOAL OUR_BASE OUR_SPEC LIMIT_BASE LIMIT_SPEC
# Each tool times the base and the spec in one process, back to back, so
# that the difference does not span two processes' worth of drift. Each
# round's ratio still divides two differences of medians; when the limit's
# difference is small, noise swings that ratio widely (even below zero), so
# the ratio of the rounds' median differences is printed beside it.
added() {
  local ratios=() ours_added=() limit_added=() a0 a1 b0 b1
  for _ in $(seq "$rounds"); do
    read -r a0 a1 <<<"$(pair_us "$ours" "$3" "$4")"
    read -r b0 b1 <<<"$(pair_us "$nsbench" "$5" "$6")"
    ours_added+=("$(awk -v a="$a1" -v b="$a0" 'BEGIN { print a - b }')")
    limit_added+=("$(awk -v a="$b1" -v b="$b0" 'BEGIN { print a - b }')")
    ratios+=("$(ratio "${ours_added[-1]}" "${limit_added[-1]}")")
    printf '    ours +%7.1f us (%.1f → %.1f)   limit +%7.1f us (%.1f → %.1f)   ratio %s\n' \
      "${ours_added[-1]}" "$a0" "$a1" "${limit_added[-1]}" "$b0" "$b1" "${ratios[-1]}"
  done
  local ours_median limit_median
  ours_median=$(printf '%s\n' "${ours_added[@]}" | median); limit_median=$(printf '%s\n' "${limit_added[@]}" | median)
  printf '%-44s median ratio %s   (goal %s)\n' "$1" "$(printf '%s\n' "${ratios[@]}" | median)" "$2"
  printf '%-44s %s (ours +%s us, limit +%s us)\n' "  ratio of the median added costs" "$(ratio "$ours_median" "$limit_median")" "$ours_median" "$limit_median"
}

full="all,map,private,root=usr,proc,dev,caps,host,lo,pdeath,cgpids,cgmem"
echo "spawn → exit → reap of /bin/true, $count spawns a measurement, $rounds rounds ($(nproc) cores, $(uname -r))"
if wants namespaces; then
  whole "namespaces: all,map" "≤ 1.15" "" "all,map" "all,map"
fi
if wants bighost; then
  whole "namespaces: all,map, 1 GiB host" "-" "BIGMB=1024" "all,map" "all,map"
  growth=()
  for _ in $(seq "$rounds"); do
    growth+=("$(ratio "$(median_us "$ours" "BIGMB=1024" "all,map")" "$(median_us "$ours" "" "all,map")")")
  done
  printf '%-44s median %s   (goal ≤ 1.10; rounds %s)\n' "growth of ours with a 1 GiB host" "$(printf '%s\n' "${growth[@]}" | median)" "${growth[*]}"
fi
if wants rootfs; then
  added "rootfs: +private,root=usr,proc,dev" "≤ 1.15" "all,map" "all,map,private,root=usr,proc,dev" "all,map" "all,map,private,root=usr,proc,dev"
fi
if wants cgroups; then
  added "cgroups: +cgpids,cgmem" "≤ 1.2" "all,map" "all,map,cgpids,cgmem" "all,map" "all,map,cgpids,cgmem"
fi
if wants seccomp; then
  added "seccomp: +default profile (limit: docker-tree)" "≤ 1.15" "all,map,nnp" "all,map,nnp,seccomp=default" "all,map,nnp" "all,map,nnp,seccomp=$bpf"
fi
if wants full; then
  whole "full sandbox" "≤ 1.15" "" "$full,nnp,seccomp=default" "$full,seccomp=$bpf"
fi
# The full sandbox through `Sandbox.run`, which prepares the command on
# every call (validation, plan, rendering), against the same limit.
if wants oneshot; then
  whole "full sandbox, one-shot Sandbox.run" "-" "ONESHOT=1" "$full,nnp,seccomp=default" "$full,seccomp=$bpf"
fi
# The full sandbox, plus what a pool needs to recycle its entries: /proc/sys
# read-only (`rosys`; the SDK's default readOnlyPaths include it), so that a
# returned namespace is recycled without comparing its 580 sysctls, and the
# default seccomp profile (`seccomp=default`), which keeps the payload from
# the kernel keyring of the entry's user namespace.
pooled_spec="$full,rosys,nnp,seccomp=default"
if wants pooled; then
  # The pooled figure's goal is absolute; the limit's full sandbox, timed in
  # the same rounds, says how fast the machine is meanwhile.
  pooled=(); fresh=(); limit=(); ratios=()
  for _ in $(seq "$rounds"); do
    pooled+=("$(median_us "$ours" "" "$pooled_spec,pool")")
    fresh+=("$(median_us "$ours" "" "$pooled_spec")")
    limit+=("$(median_us "$nsbench" "" "$full,seccomp=$bpf")")
    ratios+=("$(ratio "${pooled[-1]}" "${limit[-1]}")")
    printf '    pooled %8.1f us   fresh %8.1f us   limit %8.1f us   pooled/limit %s\n' "${pooled[-1]}" "${fresh[-1]}" "${limit[-1]}" "${ratios[-1]}"
  done
  printf '%-44s median %s us (fresh %s us, limit %s us)   (goal ≤ 1900 us)\n' "full sandbox, pooled network namespace" \
    "$(printf '%s\n' "${pooled[@]}" | median)" "$(printf '%s\n' "${fresh[@]}" | median)" "$(printf '%s\n' "${limit[@]}" | median)"
  printf '%-44s median ratio %s\n' "pooled / limit's full sandbox (fresh netns)" "$(printf '%s\n' "${ratios[@]}" | median)"
fi
if wants throughput; then
  # Two spawners sharing the machine's cores; the limit spawns one at a time,
  # and its busy CPU per spawn (both cores) bounds what any spawner reaches.
  rates=(); fresh=(); ceilings=()
  for _ in $(seq "$rounds"); do
    rates+=("$("$ours" --throughput 2 "$count" "$pooled_spec,pool" | awk '{ print $NF; exit }')")
    fresh+=("$("$ours" --throughput 2 "$count" "$pooled_spec" | awk '{ print $NF; exit }')")
    busy=$("$nsbench" "$count" "$full,seccomp=$bpf" 2>/dev/null | sed -n 's/.*busy_cpu\/spawn=\([0-9.]*\).*/\1/p' | head -1)
    ceilings+=("$(awk -v b="$busy" -v n="$(nproc)" 'BEGIN { printf "%.0f", n * 1e6 / b }')")
    printf '    pooled %6s/s   fresh %6s/s   limit ceiling %6s/s (%s us busy CPU a spawn)\n' "${rates[-1]}" "${fresh[-1]}" "${ceilings[-1]}" "$busy"
  done
  printf '%-44s median %s/s (fresh %s/s, limit ceiling %s/s)   (goal ≥ 1200/s)\n' "throughput, 2 spawners, pooled" \
    "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${fresh[@]}" | median)" "$(printf '%s\n' "${ceilings[@]}" | median)"
fi
if wants syscalls; then
  echo "per-call cost of an allowed, cached system call (getppid) under the default profile:"
  overhead=$("$ours" --syscall-overhead "$rounds")
  echo "$overhead" | sed 's/^/    /'
  printf '%-44s median ratio %s   (goal ≤ 1.3)\n' "seccomp: getppid filtered / unfiltered" "$(echo "$overhead" | awk 'NR > 1 { print $4 }' | median)"
fi
if wants density; then
  echo "density (goal ≤ 450 kB each, no host-side process):"
  "$ours" --density 100 | sed 's/^/    /'
fi
if wants peers; then
  # Whole processes, timed by hyperfine: at most 200 runs a command a round.
  ./peers.sh "$((count < 200 ? count : 200))" "$rounds"
fi
