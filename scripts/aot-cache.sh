#!/usr/bin/env bash
# Trains a JDK 25 AOT cache for target/orderflow.jar (optional; docs/PERFORMANCE.md, items 6 and 14).
#
#   scripts/aot-cache.sh
#   /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:AOTCache=target/orderflow.aot -jar target/orderflow.jar
#
# It starts a node with -XX:AOTCacheOutput, posts AOT_TRAINING_ORDERS orders (default 10,000) through
# it with the bench, and stops it: the JVM writes the cache at exit (classes loaded and linked, method
# profiles). A node started with the cache compiles its hot code from those profiles at once instead
# of learning them under its first load.
#
# The node trains on an embedded PostgreSQL and nats-server of its own, in a temporary directory and
# on free ports, so a node already running is not disturbed and no training order reaches a real
# journal. Set DB_URL or NATS_URL to train on your servers instead (the orders then stay there).
# The cache belongs to that jar and that JDK: train again after a build. Other settings: JAVA25, AOT_CACHE.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JAR=$PWD/target/orderflow.jar
CACHE=${AOT_CACHE:-target/orderflow.aot}
ORDERS=${AOT_TRAINING_ORDERS:-10000}
LOG=target/aot-training.log

"$JAVA25" -version 2>&1 | grep -q 'version "2[5-9]' || { echo "needs JDK 25 or later: JAVA25=$JAVA25" >&2; exit 2; }
[ -f "$JAR" ] || { echo "no $JAR: mvn -B package -DskipTests first" >&2; exit 2; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
export DATA_DIR=$work/data HTTP_PORT=$(free_port) GRPC_PORT=$(free_port) MANAGEMENT_PORT=$(free_port) \
  PEKKO_PORT=$(free_port)
bench_to=()
if [ -z "${DB_URL:-}${NATS_URL:-}" ]; then
  export DB_URL=embedded NATS_URL=embedded EMBEDDED_PG_PORT=$(free_port) EMBEDDED_NATS_PORT=$(free_port)
  bench_to=(--nats "nats://127.0.0.1:$EMBEDDED_NATS_PORT" --db-url "jdbc:postgresql://127.0.0.1:$EMBEDDED_PG_PORT/postgres")
fi

rm -f "$CACHE"
"$JAVA25" -XX:AOTCacheOutput="$CACHE" -jar "$JAR" node > "$LOG" 2>&1 &
node=$!
# On any failure: stop the node, and the embedded servers a killed node would leave behind.
cleanup() {
  if kill -0 "$node" 2>/dev/null; then
    kill -TERM "$node"
    for _ in $(seq 60); do kill -0 "$node" 2>/dev/null || break; sleep 1; done
    kill -KILL "$node" 2>/dev/null || true
  fi
  for pidfile in "$DATA_DIR/nats-server.pid" "$DATA_DIR/postgres/postmaster.pid"; do
    [ -f "$pidfile" ] && kill -KILL "$(head -1 "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$HTTP_PORT/api/orders?limit=1" > /dev/null && break
  kill -0 "$node" 2>/dev/null || { echo "the node did not start: $LOG" >&2; exit 1; }
  sleep 1
done
java -jar "$JAR" bench --url "http://127.0.0.1:$HTTP_PORT" "${bench_to[@]}" --orders "$ORDERS" --concurrency 64 \
  --baseline-seconds 1 > /dev/null
kill -TERM "$node"
wait "$node" || true   # coordinated shutdown, then the JVM writes the cache
[ -s "$CACHE" ] || { echo "no cache written: $LOG" >&2; exit 1; }
echo "wrote $CACHE ($(du -h "$CACHE" | cut -f1)); start nodes with: $JAVA25 -XX:AOTCache=$CACHE -jar target/orderflow.jar"
