#!/usr/bin/env python3
"""Prints the side-by-side tables of BENCHMARKS.md from the JSON lines of one run-all.sh.

    bench/compare.py [SIGSHIM_JSONL PEERS_JSONL]

For every (system, scenario, client kind, rate) the last line wins, so a file that holds several
runs gives the newest. run-all.sh passes the two files of the run it just made, so that the
ratios come from one run on one machine.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = ["socketio-redis", "redis", "nats", "mosquitto"]


def load(path):
    rows = {}
    for line in Path(path).read_text().splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if r.get("target") == "in-process hub":
            continue
        client = r.get("api") if r.get("scenario") == "peer" else r.get("members_client")
        if r.get("inline_callbacks"):
            client += ", inline callbacks"
        rows[(r["system"], r["scenario"], client, r.get("rate"))] = r
    return rows


def floors(path):
    """The machine-floor lines of a run, in the order they were taken."""
    lines = (json.loads(l) for l in Path(path).read_text().splitlines() if l.strip())
    return [r for r in lines if r.get("scenario") == "floor"]


def ms(us):
    return f"{us / 1000:.2f}" if us < 10_000 else f"{us / 1000:.0f}"


def main(argv):
    ours_path, peers_path = argv if len(argv) == 2 else (HERE / "results/sigshim.jsonl", HERE / "results/peers.jsonl")
    ours, peers = load(ours_path), load(peers_path)
    taken = floors(ours_path)
    if taken:
        print("Machine floor (64-byte loopback TCP round trips, no server code): "
              + "; ".join(f"{r['throughput']:,.0f} round trips/s, p50 {r['p50_us']} µs, p99 {r['p99_us']} µs"
                          for r in taken))

    def peer(system, scenario, rate):
        return peers.get((system, scenario, None, rate))

    def table(title, scenario, rate, clients, cell, ratio, ratio_name):
        mine = [(c, ours.get(("sigshim", scenario, c, rate))) for c in clients]
        mine = [(c, r) for c, r in mine if r]
        theirs = [(p, peer(p, scenario, rate)) for p in PEERS]
        theirs = [(p, r) for p, r in theirs if r]
        if not mine:
            return
        print(f"\n{title}\n")
        print("| | " + " | ".join(f"sigshim ({c})" for c, _ in mine) + " | " + " | ".join(p for p, _ in theirs) + " |")
        print("|---" * (1 + len(mine) + len(theirs)) + "|")
        print("| figure | " + " | ".join(cell(r) for _, r in mine + theirs) + " |")
        for c, r in mine:
            print(f"| {ratio_name}, sigshim ({c}) | " + " | ".join("—" for _ in mine) + " | "
                  + " | ".join(f"{ratio(r, t):.1f}×" for _, t in theirs) + " |")

    lat = lambda r: f"{ms(r['p50_us'])} / {ms(r['p99_us'])} ms"
    table("Peer messages, open loop at 10 000 msgs/s, 100 pairs: p50 / p99", "peer", 10000,
          ["lean", "core", "legacy", "legacy, inline callbacks", "legacy-wire", "c"], lat,
          lambda o, t: t["p99_us"] / max(o["p99_us"], 1), "peer p99 ÷ ours")
    table("Peer messages at saturation, 100 pairs, window 64: delivered msgs/s", "peer", 0,
          ["lean", "core", "legacy", "legacy-wire", "c"], lambda r: f"{r['throughput']:,.0f}",
          lambda o, t: o["throughput"] / max(t["throughput"], 1), "ours ÷ peer")
    table("Fan-out, 1 000 members, 100 msgs/s: p50 / p99", "fanout", 100,
          ["lean", "core"], lat, lambda o, t: t["p99_us"] / max(o["p99_us"], 1), "peer p99 ÷ ours")
    legacy_paths(ours)


LEGACY_PATHS = [
    ("legacy", "Rust facade, dispatcher thread (default)"),
    ("legacy, inline callbacks", "Rust facade, inline callbacks"),
    ("legacy-wire", "legacy endpoint (web drop-in's protocol)"),
    ("c", "C library (libagorasig)"),
]


def legacy_paths(ours):
    """Each legacy path against core clients of the same run: latency and generator CPU at
    10 000 msgs/s, throughput at saturation."""
    core = ours.get(("sigshim", "peer", "core", 10000))
    core_sat = ours.get(("sigshim", "peer", "core", 0))
    if not core:
        return
    print("\nLegacy paths against core clients, same run (100 pairs)\n")
    print("| path | p50 / p99 at 10 000 msgs/s | p50 ratio | p99 ratio | generator CPU ratio | saturation msgs/s | ratio |")
    print("|---|---|---|---|---|---|---|")
    print(f"| core clients | {ms(core['p50_us'])} / {ms(core['p99_us'])} ms | 1 | 1 | 1 | "
          + (f"{core_sat['throughput']:,.0f} | 1 |" if core_sat else "— | — |"))
    for client, name in LEGACY_PATHS:
        r = ours.get(("sigshim", "peer", client, 10000))
        sat = ours.get(("sigshim", "peer", client, 0))
        if not r and not sat:
            continue
        cells = ["—"] * 4
        if r:
            cpu = (r.get("generator_cpu_pct") or 0) / max(core.get("generator_cpu_pct") or 1, 1e-9)
            cells = [f"{ms(r['p50_us'])} / {ms(r['p99_us'])} ms", f"{r['p50_us'] / max(core['p50_us'], 1):.2f}×",
                     f"{r['p99_us'] / max(core['p99_us'], 1):.2f}×", f"{cpu:.2f}×"]
        if sat and core_sat:
            cells += [f"{sat['throughput']:,.0f}", f"{sat['throughput'] / max(core_sat['throughput'], 1):.2f}×"]
        else:
            cells += ["—", "—"]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
