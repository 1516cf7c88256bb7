#!/usr/bin/env bash
# A three-server NATS JetStream cluster on this machine, for orderflow with NATS_REPLICAS=3
# (docs/CLUSTER.md). Each server has its own store, server_name and client/cluster/monitor port.
#
#   scripts/nats-cluster.sh start    # prints the NATS_URL / NATS_REPLICAS to export
#   scripts/nats-cluster.sh status   # which servers run, who leads the meta group and stream "order"
#   scripts/nats-cluster.sh kill N   # kill -9 server N (1-3): the failure the cluster is built for
#   scripts/nats-cluster.sh start N  # (re)start server N alone, e.g. after a kill
#   scripts/nats-cluster.sh stop     # stop all three (SIGTERM)
#
# Environment: NATS_CLUSTER_DIR (default ./data/nats-cluster: configs, stores, logs, pid files),
# NATS_CLUSTER_PORT (default 4231: client ports 4231-4233, routes 6231-6233, monitoring 8231-8233).
set -euo pipefail

DIR=${NATS_CLUSTER_DIR:-./data/nats-cluster}
BASE=${NATS_CLUSTER_PORT:-4231}
N=3

client_port() { echo $((BASE + $1 - 1)); }
route_port() { echo $((BASE + 2000 + $1 - 1)); }
monitor_port() { echo $((BASE + 4000 + $1 - 1)); }
pid_of() { cat "$DIR/n$1.pid" 2>/dev/null || true; }
running() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

config() {
  local i=$1 routes="" j
  for j in $(seq 1 $N); do
    [ "$j" = "$i" ] || routes="$routes    nats://127.0.0.1:$(route_port "$j")"$'\n'
  done
  cat <<CONF
# orderflow NATS cluster server $i of $N (written by scripts/nats-cluster.sh)
server_name: orderflow-n$i
listen: 127.0.0.1:$(client_port "$i")
http_port: $(monitor_port "$i")
jetstream {
  store_dir: "$(cd "$DIR" && pwd)/n$i"
  max_memory_store: 256MB
  max_file_store: 10GB
}
cluster {
  name: orderflow
  listen: 127.0.0.1:$(route_port "$i")
  routes: [
$routes  ]
}
CONF
}

start_one() {
  local i=$1
  if running "$i"; then echo "server $i already runs (pid $(pid_of "$i"))"; return; fi
  config "$i" > "$DIR/n$i.conf"
  nohup nats-server -c "$DIR/n$i.conf" -P "$DIR/n$i.pid" >> "$DIR/n$i.log" 2>&1 &
  echo "server $i: nats://127.0.0.1:$(client_port "$i") (pid $!, log $DIR/n$i.log)"
}

urls() {
  local u="" i
  for i in $(seq 1 $N); do u="$u${u:+,}nats://127.0.0.1:$(client_port "$i")"; done
  echo "$u"
}

case "${1:-}" in
  start)
    mkdir -p "$DIR"
    if [ -n "${2:-}" ]; then start_one "$2"; exit; fi
    for i in $(seq 1 $N); do start_one "$i"; done
    echo "export NATS_URL=$(urls) NATS_REPLICAS=3"
    ;;
  stop)
    for i in $(seq 1 $N); do
      if running "$i"; then kill "$(pid_of "$i")"; echo "server $i stopped"; fi
    done
    ;;
  kill)
    i=${2:?which server: 1-3}
    running "$i" || { echo "server $i does not run"; exit 1; }
    kill -9 "$(pid_of "$i")"
    echo "server $i killed (kill -9)"
    ;;
  status)
    for i in $(seq 1 $N); do
      if running "$i"; then echo "server $i: runs (pid $(pid_of "$i"))"; else echo "server $i: down"; fi
    done
    for i in $(seq 1 $N); do
      if running "$i"; then
        curl -s "http://127.0.0.1:$(monitor_port "$i")/jsz?streams=true" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print("meta leader:", j.get("meta_cluster", {}).get("leader"))
for a in j.get("account_details", []):
    for s in a.get("stream_detail", []):
        c = s.get("cluster", {})
        print("stream %s: leader %s, replicas %s" % (s["name"], c.get("leader"), [r["name"] for r in c.get("replicas", [])]))
'
        break
      fi
    done
    ;;
  *)
    sed -n '2,13p' "$0"; exit 2 ;;
esac
