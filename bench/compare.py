#!/usr/bin/env python3
"""Prints the side-by-side tables of BENCHMARKS.md from the JSON lines of one run-all.sh.

    bench/compare.py [SIGSHIM_JSONL PEERS_JSONL]

For every (system, scenario, client kind, rate, nodes, engine) the last line wins, so a file that
holds several runs gives the newest. run-all.sh passes the two files of the run it just made, so
that the ratios come from one run on one machine. The side-by-side tables are of sigshim alone
(one node, no engine); "Two nodes on Redis" sets sigshim on two nodes (`sigshim bench --nodes 2`)
beside one node on Redis (`--redis`), one node alone and Socket.IO with its Redis adapter on two
Node processes, each figure the median of every line of that kind in the files (with the range
when there are several).
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = ["socketio-redis", "redis", "nats", "mosquitto"]


def key(r):
    """(system, scenario, client kind, rate, nodes, engine) of a line: lines before `--nodes`
    carry neither field and are of one node without an engine."""
    scenario = r.get("scenario")
    if scenario in ("peer", "idle"):
        client = r.get("api")
    elif scenario == "logins":
        client = r.get("users")
    else:
        client = r.get("members_client")
    if r.get("inline_callbacks"):
        client += ", inline callbacks"
    return (r["system"], scenario, client, r.get("rate"), r.get("nodes", 1), r.get("engine", "none"))


def lines(path):
    for line in Path(path).read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            if r.get("target") != "in-process hub":
                yield r


def load(path):
    """The newest line of each kind, keyed as `key` without nodes and engine, of one node
    without an engine."""
    rows = {}
    for r in lines(path):
        k = key(r)
        if k[4:] == (1, "none"):
            rows[k[:4]] = r
    return rows


def load_all(path):
    """Every line of each kind, keyed by `key`."""
    rows = {}
    for r in lines(path):
        rows.setdefault(key(r), []).append(r)
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
    idle(ours)
    cluster(load_all(ours_path), load_all(peers_path))


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def spread(rows, field, fmt):
    """The median of `field` over `rows`, with the range when there are several."""
    values = [r[field] for r in rows if r.get(field) is not None]
    if not values:
        return "—"
    text = fmt(median(values))
    if len(values) > 1:
        text += f" ({fmt(min(values))}–{fmt(max(values))}, n={len(values)})"
    return text


def cluster(ours, peers):
    """Two sigshim nodes on Redis against one node on Redis, one node alone and Socket.IO with
    its Redis adapter on two Node processes (run-peers.sh's `socketio-redis`)."""
    if not any(k[4] > 1 for k in ours):
        return
    sio_rate = lambda scenario, rate: peers.get(("socketio-redis", scenario, None, rate, 1, "none"), [])
    # (figure, scenario, sigshim client kind, rate, field, format)
    rate = lambda r: f"{r:,.0f}"
    msec = lambda us: ms(us) + " ms"
    peer_rate = next((k[3] for k in ours if k[1] == "peer" and k[4] > 1 and k[3]), 5000)
    shapes = [
        ("peer saturation, lean users: delivered msgs/s", "peer", "lean", 0, "throughput", rate),
        ("peer saturation, core clients: delivered msgs/s", "peer", "core", 0, "throughput", rate),
        (f"peer at {peer_rate:,} msgs/s, lean users: p50", "peer", "lean", peer_rate, "p50_us", msec),
        (f"peer at {peer_rate:,} msgs/s, lean users: p99", "peer", "lean", peer_rate, "p99_us", msec),
        ("fan-out, 1 000 lean members, 100 msgs/s: p50", "fanout", "lean", 100, "p50_us", msec),
        ("fan-out, 1 000 lean members, 100 msgs/s: p99", "fanout", "lean", 100, "p99_us", msec),
        ("logins, core clients: logins/s", "logins", "core", None, "throughput", rate),
        ("logins, lean users: logins/s", "logins", "lean", None, "throughput", rate),
    ]
    print("\nTwo nodes on Redis (median of the runs; range and count when several)\n")
    print("| figure | sigshim, 2 nodes on Redis | sigshim, 1 node on Redis | sigshim, 1 node | Socket.IO + Redis, 2 nodes |")
    print("|---|---|---|---|---|")
    for title, scenario, client, r, field, fmt in shapes:
        cells = [spread(ours.get(("sigshim", scenario, client, r, n, e), []), field, fmt)
                 for n, e in [(2, "redis"), (1, "redis"), (1, "none")]]
        # Socket.IO's generator is one kind of client: its figures go on the lean rows; it has
        # no login burst.
        sio = sio_rate(scenario, r) if client == "lean" and scenario != "logins" else []
        cells.append(spread(sio, field, fmt))
        if all(c == "—" for c in cells):
            continue
        print(f"| {title} | " + " | ".join(cells) + " |")
    cpu = [("sigshim", "peer", "lean", 0, 2, "redis"), ("sigshim", "peer", "lean", 0, 1, "redis")]
    for k in cpu:
        rows = ours.get(k, [])
        if rows:
            nodes = spread(rows, "server_cpu_pct", lambda p: f"{p:.0f}%")
            redis = spread(rows, "redis_cpu_pct", lambda p: f"{p:.0f}%")
            gen = spread(rows, "generator_cpu_pct", lambda p: f"{p:.0f}%")
            line = (f"\nCPU at peer saturation, {k[4]} node(s) on Redis: nodes {nodes}, redis-server {redis}, "
                    f"generator {gen} (percent of one core; the machine has 2)")
            busy = [r for r in rows if r.get("engine_busy_pct_nodes")]
            if k[4] > 1 and busy:
                for r in busy:
                    r["engine_busy_pct"] = median(r["engine_busy_pct_nodes"])
                    r["engine_batches_per_s"] = sum(r["engine_batches_per_s_nodes"])
                line += (f"; each node's stream to Redis busy {spread(busy, 'engine_busy_pct', lambda p: f'{p:.0f}%')}"
                         f" of the time, {spread(busy, 'engine_batches_per_s', lambda p: f'{p:,.0f}')} pipelines/s"
                         " over the nodes")
            print(line)


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


def idle(ours):
    """The idle scenarios of the run: how many logged-in connections the server held and its
    memory and CPU for each (a figure the run could not read, against a server given by URL,
    shows as —)."""
    rows = [r for k, r in ours.items() if k[0] == "sigshim" and k[1] == "idle"]
    for r in rows:
        def field(name, fmt=lambda v: f"{v}"):
            return fmt(r[name]) if r.get(name) is not None else "—"
        mib = lambda kib: f"{kib / 1024:.1f}"
        print(f"\nIdle logged-in connections ({r.get('api', 'core')} clients, one server): "
              f"{r.get('connections', 0):,} held, {field('kib_per_connection')} KiB each "
              f"(server RSS {field('server_rss_before_kib', mib)} → {field('server_rss_kib', mib)} MiB), "
              f"server CPU {field('server_idle_cpu_pct')}% of a core while they ping")

if __name__ == "__main__":
    main(sys.argv[1:])
