#!/usr/bin/env bash
# Times swift-containment's spawn path against the physical limit of this
# machine, measured in the same run by nsbench (../../shared/bench), and
# prints each ratio. Rounds alternate the two tools so drift hits both.
#
#   Benchmarks/compare.sh [N] [ROUNDS]     defaults: 500 spawns, 3 rounds
set -euo pipefail
cd "$(dirname "$0")"
count=${1:-500}
rounds=${2:-3}
nsbench=${NSBENCH:-../../shared/bench/nsbench}
[ -x "$nsbench" ] || { echo "compare.sh: nsbench not found at $nsbench (set NSBENCH)"; exit 2; }
../Scripts/setup.sh
swift build -c release --product containment-bench >/dev/null
ours=.build/release/containment-bench

# median_us TOOL ENV SPEC: the median of one timed run.
median_us() {
  env $2 "$1" "$count" "$3" 2>/dev/null | awk -v spec="$3" '$1 == spec { print $3; exit }'
}

# compare LABEL ENV OUR_SPEC LIMIT_SPEC: median of per-round ratios.
compare() {
  local ratios=() a b
  for _ in $(seq "$rounds"); do
    a=$(median_us "$ours" "$2" "$3")
    b=$(median_us "$nsbench" "$2" "$4")
    ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')")
    printf '  %-34s ours %8.1f us   limit %8.1f us   ratio %s\n' "$1" "$a" "$b" "${ratios[-1]}"
  done
  printf '%-36s median ratio %s\n' "$1" "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { print r[int((NR + 1) / 2)] }')"
}

echo "spawn → exit → reap of /bin/true, $count spawns a round, $rounds rounds ($(nproc) cores)"
compare "all,map" "" "all,map" "all,map"
compare "all,map under the minimal init" "" "all,map,init" "all,map"
compare "all,map,lo,host,pdeath" "" "all,map,lo,host,pdeath" "all,map,lo,host,pdeath"
compare "all,map, 1 GiB host" "BIGMB=1024" "all,map" "all,map"
# Growth with a large host: ours with 1 GiB over ours without.
small=$(median_us "$ours" "" "all,map"); big=$(median_us "$ours" "BIGMB=1024" "all,map")
printf '%-36s %s (%.1f -> %.1f us)\n' "growth with a 1 GiB host" "$(awk -v a="$big" -v b="$small" 'BEGIN { printf "%.3f", a / b }')" "$small" "$big"
