#!/usr/bin/env bash
# Runs the peer benchmarks: for every chosen system and scenario, starts that system's own
# server process(es) on free loopback ports with throwaway configs in a temp dir, runs one
# generator (peers/gen.js), and stops the servers again (also on failure or Ctrl-C).
# The JSON line of each run goes to stdout and is appended to results/peers.jsonl.
#
#   ./run-peers.sh                                   # the default set, every system
#   ./run-peers.sh --systems redis,nats --scenarios peer,saturation --duration 5
#
# Options (defaults in brackets):
#   --systems LIST     socketio-redis,redis,nats,mosquitto  [all four]
#   --scenarios LIST   peer (open loop at --peer-rate), saturation (peer at rate 0),
#                      fanout (at --fanout-rate)                   [peer,saturation,fanout]
#   --pairs N [100]  --members N [1000]  --peer-rate R [10000]  --fanout-rate R [100]
#   --duration S [10]  --warmup S [2]  --window W [64]  --out FILE [results/peers.jsonl]
#   --wait-idle S [0]  before each run, wait up to S seconds for the CPUs to be idle (<= 15%
#                      busy); a run on busy CPUs is flagged on stderr either way
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
systems="socketio-redis,redis,nats,mosquitto"
scenarios="peer,saturation,fanout"
pairs=100 members=1000 peer_rate=10000 fanout_rate=100 duration=10 warmup=2 window=64
out="$here/results/peers.jsonl"
wait_idle=0

while [ $# -gt 0 ]; do
  case "$1" in
    --systems) systems="$2"; shift 2 ;;
    --scenarios) scenarios="$2"; shift 2 ;;
    --pairs) pairs="$2"; shift 2 ;;
    --members) members="$2"; shift 2 ;;
    --peer-rate) peer_rate="$2"; shift 2 ;;
    --fanout-rate) fanout_rate="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --wait-idle) wait_idle="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-peers.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

[ -d "$here/peers/node_modules" ] || { echo "run-peers.sh: run ./install.sh first" >&2; exit 1; }
for b in node redis-server nats-server mosquitto; do
  command -v "$b" >/dev/null || { echo "run-peers.sh: $b missing: run ./install.sh first" >&2; exit 1; }
done

# 1000+ sockets on each side of loopback, in one generator process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 4096 ] || echo "run-peers.sh: warning: ulimit -n is $(ulimit -n)" >&2

tmp="$(mktemp -d /tmp/sigshim-peers.XXXXXX)"
pids=()
stop_servers() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  pids=()
}
cleanup() { stop_servers; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# A loopback port nothing listens on (the kernel picks it; tiny race until the server binds).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_port() { # port pid name
  local i
  for i in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "run-peers.sh: $3 exited at start; its log:" >&2; cat "$tmp/$3.log" >&2 || true; return 1; }
    sleep 0.1
  done
  echo "run-peers.sh: $3 did not listen on $1" >&2; return 1
}

start_redis() { # name -> sets port
  local name="$1"; port="$(free_port)"
  cat >"$tmp/$name.conf" <<CONF
bind 127.0.0.1
port $port
protected-mode no
daemonize no
save ""
appendonly no
dir $tmp
logfile $tmp/$name.log
maxclients 15000
CONF
  redis-server "$tmp/$name.conf" >/dev/null & pids+=($!)
  wait_port "$port" "$!" "$name"
  server_pids+=("$!")
}

start_system() { # system -> sets urls, server_pids
  server_pids=()
  case "$1" in
    redis)
      start_redis redis
      urls="redis://127.0.0.1:$port" ;;
    socketio-redis)
      start_redis redis; local rport="$port" p1 p2
      p1="$(free_port)"; node "$here/peers/socketio-server.js" --port "$p1" --redis "redis://127.0.0.1:$rport" 2>"$tmp/sio1.log" & pids+=($!)
      wait_port "$p1" "$!" sio1; server_pids+=("$!")
      p2="$(free_port)"; node "$here/peers/socketio-server.js" --port "$p2" --redis "redis://127.0.0.1:$rport" 2>"$tmp/sio2.log" & pids+=($!)
      wait_port "$p2" "$!" sio2; server_pids+=("$!")
      urls="ws://127.0.0.1:$p1,ws://127.0.0.1:$p2" ;;
    nats)
      port="$(free_port)"
      cat >"$tmp/nats.conf" <<CONF
listen: 127.0.0.1:$port
max_connections: 64000
CONF
      nats-server -c "$tmp/nats.conf" 2>"$tmp/nats.log" & pids+=($!)
      wait_port "$port" "$!" nats; server_pids+=("$!")
      urls="nats://127.0.0.1:$port" ;;
    mosquitto)
      port="$(free_port)"
      # set_tcp_nodelay: mosquitto leaves Nagle on by default (mosquitto.conf(5)).
      cat >"$tmp/mosquitto.conf" <<CONF
per_listener_settings false
listener $port 127.0.0.1
allow_anonymous true
max_connections -1
set_tcp_nodelay true
persistence false
log_dest stderr
log_type error
log_type warning
CONF
      # (stderr, not a log file: started as root, mosquitto drops to its own user before logging)
      mosquitto -c "$tmp/mosquitto.conf" 2>"$tmp/mosquitto.log" & pids+=($!)
      wait_port "$port" "$!" mosquitto; server_pids+=("$!")
      urls="mqtt://127.0.0.1:$port" ;;
    *) echo "run-peers.sh: unknown system $1" >&2; return 1 ;;
  esac
}

# Busy share of all CPUs over one second, from /proc/stat (another build on the machine skews
# every figure: the generator and the servers share the cores with it).
cpu_busy_pct() {
  local a b
  read -ra a < <(grep '^cpu ' /proc/stat); sleep 1; read -ra b < <(grep '^cpu ' /proc/stat)
  local idle=$(( (b[4]+b[5]) - (a[4]+a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
check_idle() {
  local busy waited=0
  busy="$(cpu_busy_pct)"
  while [ "$busy" -gt 15 ] && [ "$waited" -lt "$wait_idle" ]; do
    [ "$waited" -eq 0 ] && echo "run-peers.sh: CPUs ${busy}% busy before the run; waiting up to ${wait_idle}s for them to be idle" >&2
    sleep 4; waited=$((waited + 5)); busy="$(cpu_busy_pct)"
  done
  [ "$busy" -le 15 ] || echo "run-peers.sh: warning: CPUs ${busy}% busy before the run (other load on the machine): figures are skewed" >&2
}

status=0
IFS=, read -ra sys_list <<<"$systems"
IFS=, read -ra scen_list <<<"$scenarios"
for sys in "${sys_list[@]}"; do
  for scen in "${scen_list[@]}"; do
    case "$scen" in
      peer) gen_args=(--scenario peer --pairs "$pairs" --rate "$peer_rate") ;;
      saturation) gen_args=(--scenario peer --pairs "$pairs" --rate 0 --window "$window") ;;
      fanout) gen_args=(--scenario fanout --members "$members" --rate "$fanout_rate") ;;
      *) echo "run-peers.sh: unknown scenario $scen" >&2; exit 2 ;;
    esac
    echo "== $sys $scen" >&2
    check_idle
    if ! start_system "$sys"; then
      echo "run-peers.sh: $sys could not be started; skipped" >&2; status=1; stop_servers; continue
    fi
    pid_list="$(IFS=,; echo "${server_pids[*]}")"
    echo "servers: $urls (pids $pid_list: $(ps -o comm= -p "$pid_list" | paste -sd, -))" >&2
    if ! node "$here/peers/gen.js" --system "$sys" "${gen_args[@]}" --servers "$urls" --server-pids "$pid_list" \
        --duration "$duration" --warmup "$warmup" --out "$out"; then
      echo "run-peers.sh: $sys $scen failed" >&2; status=1
    fi
    stop_servers
  done
done
exit "$status"
