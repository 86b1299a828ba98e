#!/usr/bin/env bash
# Runs sigshim's side of the benchmarks with `sigshim bench` (release build with the `loadgen`
# feature): the same scenario shapes as run-peers.sh, plus the scenarios only sigshim has. Each
# run starts its own `sigshim serve` child (the `--nodes 2` runs: a redis-server and two nodes on
# it, skipped with a line when redis-server is missing); the JSON lines go to stdout and to
# results/sigshim.jsonl (or to $OUT).
#
#   bench/run-sigshim.sh                 # everything (~7 minutes)
#   bench/run-sigshim.sh --quick         # 3 s per run
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="${OUT:-$here/results/sigshim.jsonl}"
duration=10 warmup=2
if [ "${1:-}" = "--quick" ]; then duration=3 warmup=1; fi
mkdir -p "$(dirname "$out")"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# `sigshim bench` is the `loadgen` feature; the default build has no load generator. `--api c`
# builds its C program against the libagorasig.so beside the binary.
cargo build --release --quiet --features loadgen --manifest-path "$root/Cargo.toml"
cargo build --release --quiet -p sigshim-legacy-c --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/sigshim"

run() {
  echo "== sigshim bench $*" >&2
  "$bin" bench "$@" --out "$out"
}

t=(--duration "$duration" --warmup "$warmup")
# The machine's floor first: the loopback round trip every message hop below pays at least once.
run floor --duration 5 --warmup 1
run inproc --pairs 8 --rate 0 --window 8 "${t[@]}"
run peer --api lean --pairs 100 --rate 10000 "${t[@]}"
run peer --api lean --pairs 100 --rate 0 --window 64 "${t[@]}"
run peer --pairs 100 --rate 10000 "${t[@]}"
run peer --pairs 100 --rate 0 --window 64 "${t[@]}"
run peer --api legacy --pairs 100 --rate 10000 "${t[@]}"
run peer --api legacy --inline-callbacks --pairs 100 --rate 10000 "${t[@]}"
run peer --api legacy --pairs 100 --rate 0 --window 64 "${t[@]}"
run peer --api legacy-wire --pairs 100 --rate 10000 "${t[@]}"
run peer --api legacy-wire --pairs 100 --rate 0 --window 64 "${t[@]}"
run peer --api c --pairs 100 --rate 10000 "${t[@]}"
run peer --api c --pairs 100 --rate 0 --window 64 "${t[@]}"
run fanout --members 1000 --rate 100 "${t[@]}"
run fanout --members 1000 --rate 100 --lean-members "${t[@]}"
run fanout --members 1000 --rate 300 --lean-members "${t[@]}"
run stalled --members 1000 --stalled 1 --rate 100 --lean-members "${t[@]}"
run logins --connections 5000 --concurrency 256
run logins --lean-logins --connections 5000 --concurrency 256
# As many idle connections as both processes' descriptor limit leaves room for (each process
# holds one socket per connection, and some descriptors of its own), at most 20 000.
# The count moves with the limit, and the KiB per connection a little with the count: compare
# idle figures of runs with the same count.
limit="$(ulimit -n)"
idle=20000
if [ "$limit" != unlimited ] && [ $((limit - 400)) -lt "$idle" ]; then idle=$((limit - 400)); fi
if [ "$idle" -lt 1000 ]; then
  echo "run-sigshim.sh: ulimit -n of $limit is too low for the idle run; skipped" >&2
else
  run idle --connections "$idle"
fi

# Two nodes on Redis (`--nodes 2`: the bench starts a redis-server and two nodes, every peer pair
# across them), and one node on Redis (`--redis`), for compare.py's "Two nodes on Redis" table.
if command -v redis-server >/dev/null; then
  run peer --nodes 2 --api lean --pairs 100 --rate 0 --window 64 "${t[@]}"
  run peer --redis --api lean --pairs 100 --rate 0 --window 64 "${t[@]}"
  run peer --nodes 2 --pairs 100 --rate 0 --window 64 "${t[@]}"
  run peer --nodes 2 --api lean --pairs 100 --rate 5000 "${t[@]}"
  run peer --api lean --pairs 100 --rate 5000 "${t[@]}"
  run fanout --nodes 2 --members 1000 --rate 100 --lean-members "${t[@]}"
  run logins --nodes 2 --connections 5000 --concurrency 256
  run logins --nodes 2 --lean-logins --connections 5000 --concurrency 256
else
  echo "run-sigshim.sh: no redis-server: the runs on two nodes are skipped (bench/install.sh installs it)" >&2
fi
