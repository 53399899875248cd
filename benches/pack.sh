#!/usr/bin/env bash
# The benchmark pack (../shared/perf) side by side in one run, over its events repeated to
# SIZE_MB megabytes (default 1024): reading alone, splc run on one core and on all,
# the generated pack, the pack's first 1/10/100/1000 rules, and the Sigma engine rsigma on
# the same detections as Sigma rules (when installed:
# `cargo install rsigma --version 0.23.0 --locked`). Prints wall and CPU seconds, events
# per second and the ratios. Output rows go to /dev/null; the row counts are checked
# separately on the unrepeated file.
#
#   benches/pack.sh                 # everything, 1 GB
#   SIZE_MB=200 benches/pack.sh     # a smaller file
#   GENERATED=0 benches/pack.sh     # without the generated pack (its build takes minutes)
#   PERF_PACK=path benches/pack.sh  # a generated pack built already (perf-pack binary)
#   REPEAT=3 benches/pack.sh        # 3 rounds of all the runs, the fastest of each kept (a
#                                   # shared machine is noisy: the least disturbed run is the
#                                   # closest to the cost, and rounds spread a slow spell)
set -euo pipefail
cd "$(dirname "$0")/.."
perf=../shared/perf
if [ ! -d "$perf" ]; then
  echo "skipped: the pack benchmark (../shared/perf is not beside the repository)"
  exit 0
fi
size_mb=${SIZE_MB:-1024}
data=target/bench-data
mkdir -p "$data"
file=$data/perf-${size_mb}MB.jsonl
if [ ! -s "$file" ]; then
  : > "$file.part"
  while [ "$(stat -c %s "$file.part")" -lt $((size_mb * 1024 * 1024)) ]; do
    cat "$perf/events.jsonl" >> "$file.part"
  done
  mv "$file.part" "$file"
fi
events=$(wc -l < "$file")

cargo build --release --locked -p splc -q
splc=target/release/splc
perf_pack=""
if [ -n "${PERF_PACK:-}" ]; then
  perf_pack=$PERF_PACK
elif [ "${GENERATED:-1}" = 1 ]; then
  SPLC_PERF_PACK=1 cargo build --release --locked -p splc-benches --bin perf-pack -q
  perf_pack=target/release/perf-pack
fi
rsigma=$(command -v rsigma || true)

# Subsets of the pack: its first N rules.
mapfile -t all_rules < <(find "$perf/spl" -name '*.spl' | sort)
for n in 1 10 100 1000; do
  dir=$data/spl-first-$n
  rm -rf "$dir"
  mkdir -p "$dir"
  for f in "${all_rules[@]:0:n}"; do
    ln -s "$(realpath "$f")" "$dir/"
  done
done

printf '%s: %d events, %d MB, %d cores\n\n' "$file" "$events" "$size_mb" "$(nproc)"
printf '%-34s %9s %9s %12s\n' run "wall s" "cpu s" "events/s"
# Each measure is named here and run later, in rounds: with REPEAT=N every measure runs
# once per round, N rounds, so that a slow spell of the machine falls on all of them
# alike rather than on the N runs of one.
declare -A wall cpu cmd
names=()
measure() {
  local name=$1
  shift
  names+=("$name")
  cmd[$name]=$(printf '%q ' "$@")
}
run_measures() {
  local t w u s name
  t=$(mktemp)
  for _ in $(seq "${REPEAT:-1}"); do
    for name in "${names[@]}"; do
      eval "/usr/bin/time -f '%e %U %S' -o \"\$t\" ${cmd[$name]}" > /dev/null 2> "$t.err" || {
        echo "$name failed:"
        cat "$t.err"
        exit 1
      }
      read -r w u s < "$t"
      if [ -z "${wall[$name]:-}" ] || [ "$(echo "$w < ${wall[$name]}" | bc)" = 1 ]; then
        wall[$name]=$w
        cpu[$name]=$(echo "$u + $s" | bc)
      fi
    done
  done
  rm -f "$t" "$t.err"
  for name in "${names[@]}"; do
    w=${wall[$name]}
    printf '%-34s %9.2f %9.2f %12.0f\n' "$name" "$w" "${cpu[$name]}" "$(echo "$events / $w" | bc)"
  done
}
one=(taskset -c 0)
never='--spl=zzqq_no_event_has_this'
measure "read (one rule, no match)" "${one[@]}" "$splc" run --threads 1 --mapping none "$never" "$file"
measure "splc run, 1 core" "${one[@]}" "$splc" run --threads 1 --mapping none --rule "$perf/spl" "$file"
[ -n "$perf_pack" ] && measure "generated pack, 1 core" "${one[@]}" "$perf_pack" --threads 1 "$file"
[ -n "$rsigma" ] && measure "rsigma, 1 core" "${one[@]}" env RAYON_NUM_THREADS=1 "$rsigma" engine eval -r "$perf/sigma" -e "@$file" --input-format json
measure "splc run, all cores" "$splc" run --mapping none --rule "$perf/spl" "$file"
[ -n "$perf_pack" ] && measure "generated pack, all cores" "$perf_pack" --threads "$(nproc)" "$file"
[ -n "$rsigma" ] && measure "rsigma, all cores" "$rsigma" engine eval -r "$perf/sigma" -e "@$file" --input-format json
for n in 1 10 100 1000; do
  measure "splc run, first $n rules, 1 core" "${one[@]}" "$splc" run --threads 1 --mapping none --rule "$data/spl-first-$n" "$file"
done
run_measures

ratio() { echo "scale=2; ${wall[$1]} / ${wall[$2]}" | bc; }
echo
echo "pack / reading, 1 core:           $(ratio 'splc run, 1 core' 'read (one rule, no match)')"
echo "1000 rules / 1 rule, 1 core:      $(ratio 'splc run, first 1000 rules, 1 core' 'splc run, first 1 rules, 1 core')"
echo "1 core / all cores (splc):        $(ratio 'splc run, 1 core' 'splc run, all cores')"
if [ -n "$perf_pack" ]; then
  echo "generated / evaluator, 1 core:    $(ratio 'generated pack, 1 core' 'splc run, 1 core')"
fi
if [ -n "$rsigma" ]; then
  echo "rsigma / splc, 1 core:            $(ratio 'rsigma, 1 core' 'splc run, 1 core')"
  echo "rsigma / splc, all cores:         $(ratio 'rsigma, all cores' 'splc run, all cores')"
else
  echo "rsigma: not installed (cargo install rsigma --version 0.23.0 --locked)"
fi
