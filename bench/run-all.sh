#!/usr/bin/env bash
# The side-by-side comparison in one command: installs the peers (install.sh), runs sigshim's
# scenarios (run-sigshim.sh) and then the peers' (run-peers.sh) on this machine, appends every
# JSON line to results/, and prints the tables of BENCHMARKS.md with ratios from this run only.
#
#   bench/run-all.sh            # about 12 minutes
#   bench/run-all.sh --quick    # 3 s per sigshim run, 5 s per peer run
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
quick=()
peer_time=()
if [ "${1:-}" = "--quick" ]; then quick=(--quick); peer_time=(--duration 5 --warmup 1); fi

"$here/install.sh"
tmp="$(mktemp -d /tmp/sigshim-bench-all.XXXXXX)"
OUT="$tmp/sigshim.jsonl" "$here/run-sigshim.sh" "${quick[@]}"
"$here/run-peers.sh" --wait-idle 20 --out "$tmp/peers.jsonl" "${peer_time[@]}"
# The floor again after the peers: how much the machine moved during the run.
"${CARGO_TARGET_DIR:-$here/../target}/release/sigshim" bench floor --duration 5 --warmup 1 --out "$tmp/sigshim.jsonl"
mkdir -p "$here/results"
cat "$tmp/sigshim.jsonl" >> "$here/results/sigshim.jsonl"
cat "$tmp/peers.jsonl" >> "$here/results/peers.jsonl"
"$here/compare.py" "$tmp/sigshim.jsonl" "$tmp/peers.jsonl" | tee "$tmp/tables.md"
echo "run-all.sh: tables in $tmp/tables.md" >&2
