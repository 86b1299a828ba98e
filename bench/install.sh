#!/usr/bin/env bash
# Installs what the peer benchmarks need. Safe to run again.
#  - redis-server, nats-server, mosquitto from Debian (only when missing);
#    the system services those packages may start are stopped and disabled:
#    run-peers.sh starts its own instances on free loopback ports.
#  - the Node client libraries in bench/peers (npm ci when a lockfile exists).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v nats-server  >/dev/null || need+=(nats-server)
command -v mosquitto    >/dev/null || need+=(mosquitto)
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ "${#need[@]}" -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi
# Whenever run: keep the packaged services off.
for svc in redis-server nats-server mosquitto; do
  if command -v systemctl >/dev/null; then
    # `disable` works without a running systemd too (it only removes the unit's links)
    $sudo systemctl disable "$svc" >/dev/null 2>&1 || true
    [ -d /run/systemd/system ] && { $sudo systemctl stop "$svc" >/dev/null 2>&1 || true; }
  fi
  if [ ! -d /run/systemd/system ]; then
    $sudo service "$svc" stop >/dev/null 2>&1 || true
    $sudo update-rc.d "$svc" disable >/dev/null 2>&1 || true
  fi
done

command -v node >/dev/null || { echo "install.sh: node (>= 18) is required" >&2; exit 1; }
cd "$here/peers"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
echo "install.sh: ok (redis $(redis-server --version | awk '{print $3}' | sed 's/^v=//'), nats-server $(nats-server --version 2>&1 | awk '{print $NF}'), mosquitto $(mosquitto -h 2>&1 | awk 'NR==1{print $3}'))" >&2
