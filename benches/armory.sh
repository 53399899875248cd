#!/usr/bin/env bash
# The whole armory pack (../shared/armory with examples/armory-macros.conf) through
# `splc run` over generated JSON lines repeated to SIZE_MB megabytes (default 1024), next
# to reading the same file with one rule that matches nothing. Prints wall and CPU
# seconds, events per second and MB per second.
#
# The events come from the example generator (`splc-example-events`, seeds 1, 2, ...):
# Sysmon event XML, classic Security 4688 records and Linux process JSON, each turned into
# a JSON line by `splc run --spl '*'` (the CIM names of the built-in aliases as fields; a
# Windows event keeps its original text in `_raw`, which the JSON reader then searches).
#
#   benches/armory.sh               # 1 GB
#   SIZE_MB=200 benches/armory.sh   # a smaller file
#   REPEAT=3 benches/armory.sh      # 3 rounds, the fastest of each kept
set -euo pipefail
cd "$(dirname "$0")/.."
armory=../shared/armory
if [ ! -d "$armory" ]; then
  echo "skipped: the armory benchmark (../shared/armory is not beside the repository)"
  exit 0
fi
size_mb=${SIZE_MB:-1024}
data=target/bench-data
mkdir -p "$data"
cargo build --release --locked -q -p splc -p splc-example-events
splc=target/release/splc
base=$data/armory-base.jsonl
if [ ! -s "$base" ]; then
  tmp=$(mktemp -d)
  : > "$base.part"
  for seed in $(seq 1 40); do
    target/release/splc-example-events "$tmp" --seed "$seed" > /dev/null
    "$splc" run -q --spl '*' --format jsonl "$tmp"/* >> "$base.part"
  done
  rm -rf "$tmp"
  mv "$base.part" "$base"
fi
file=$data/armory-${size_mb}MB.jsonl
if [ ! -s "$file" ]; then
  : > "$file.part"
  while [ "$(stat -c %s "$file.part")" -lt $((size_mb * 1024 * 1024)) ]; do
    cat "$base" >> "$file.part"
  done
  mv "$file.part" "$file"
fi
events=$(wc -l < "$file")
bytes=$(stat -c %s "$file")
rules=$(find "$armory" -name '*.yml' | wc -l)
printf '%s: %d events, %d MB; %d rule files; %d cores\n\n' "$file" "$events" "$((bytes / 1024 / 1024))" "$rules" "$(nproc)"
printf '%-28s %9s %9s %12s %9s %9s\n' run "wall s" "cpu s" "events/s" "MB/s" rows
declare -A wall cpu rows
names=("read (no match)" "armory, 1 core" "armory, all cores")
cmds=(
  "taskset -c 0 $splc run -q --threads 1 --spl=zzqq_no_event_has_this $file"
  "taskset -c 0 $splc run -q --threads 1 --macros examples/armory-macros.conf --rule $armory $file"
  "$splc run -q --macros examples/armory-macros.conf --rule $armory $file"
)
t=$(mktemp)
for _ in $(seq "${REPEAT:-1}"); do
  for i in "${!names[@]}"; do
    name=${names[$i]}
    # Rules of the armory that do not compile (pinned in tests/data/check_failures.txt)
    # make the exit status 1; the others run.
    /usr/bin/time -f '%e %U %S' -o "$t" ${cmds[$i]} 2> /dev/null > "$t.rows" || true
    # (The last line: `time` puts a line about the exit status before it.)
    read -r w u s < <(tail -n 1 "$t")
    if [ -z "${wall[$name]:-}" ] || [ "$(echo "$w < ${wall[$name]}" | bc)" = 1 ]; then
      wall[$name]=$w
      cpu[$name]=$(echo "$u + $s" | bc)
      rows[$name]=$(wc -l < "$t.rows")
    fi
  done
done
rm -f "$t" "$t.rows"
for name in "${names[@]}"; do
  w=${wall[$name]}
  printf '%-28s %9.2f %9.2f %12.0f %9.1f %9d\n' "$name" "$w" "${cpu[$name]}" \
    "$(echo "$events / $w" | bc)" "$(echo "scale=1; $bytes / 1048576 / $w" | bc)" "${rows[$name]}"
done
echo
echo "armory / reading, 1 core:  $(echo "scale=2; ${wall["armory, 1 core"]} / ${wall["read (no match)"]}" | bc)"
echo "1 core / all cores:        $(echo "scale=2; ${wall["armory, 1 core"]} / ${wall["armory, all cores"]}" | bc)"
