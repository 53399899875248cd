#!/usr/bin/env bash
# `splc check` over the whole armory (../shared/armory, 1,161 rules) with the catalog's
# macros, in release mode: load, parse, expand, lower and lint every rule. Runs it ROUNDS
# times (default 10) and prints the fastest wall time and the CPU time of that run, with
# one thread and with one per core. The goal is under one second of wall time.
#
#   benches/check.sh
#   ROUNDS=20 benches/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
armory=../shared/armory
if [ ! -d "$armory" ]; then
  echo "skipped: the check benchmark (../shared/armory is not beside the repository)"
  exit 0
fi
cargo build --release -q -p splc
rounds=${ROUNDS:-10}
run() {
  local label=$1
  shift
  local best=""
  for _ in $(seq "$rounds"); do
    local t
    t=$( { /usr/bin/time -f "%e %U %S" "$@" ./target/release/splc check \
      --macros examples/armory-macros.conf "$armory" > /dev/null; } 2>&1 | tail -1 ) || true
    if [ -z "$best" ] || awk -v a="${t%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
      best=$t
    fi
  done
  read -r wall user sys <<< "$best"
  printf '%-14s wall %5.2f s   cpu %5.2f s (user %s, sys %s)\n' "$label" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$user" "$sys"
}
run "one thread" taskset -c 0
run "all cores" env
