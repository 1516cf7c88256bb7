#!/usr/bin/env bash
# Trains a JDK 25 AOT cache for target/orderflow.jar (docs/OPERATIONS.md; docs/PERFORMANCE.md, item 14).
#
#   scripts/aot-cache.sh
#   /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:AOTCache=target/orderflow.aot -jar target/orderflow.jar
#
# It starts a node with -XX:AOTCacheOutput, posts AOT_TRAINING_ORDERS orders (default 10,000) through
# it with the bench, and stops it: the JVM writes the cache at exit (classes loaded and linked, method
# profiles). A node started with the cache compiles its hot code from those profiles at once instead
# of learning them under its first load.
#
# The training node runs with none of the caller's environment (so it joins no cluster), on an
# embedded PostgreSQL and nats-server of its own in a temporary directory and on free ports: a node
# already running is not disturbed, and no training order reaches a real journal or stream.
# The cache belongs to that jar and that JDK build: train again after a build.
# Settings: JAVA25, AOT_CACHE (default target/orderflow.aot), AOT_TRAINING_ORDERS.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JAR=$PWD/target/orderflow.jar
CACHE=$(realpath -m "${AOT_CACHE:-target/orderflow.aot}")
ORDERS=${AOT_TRAINING_ORDERS:-10000}
LOG=${CACHE%.aot}-training.log

"$JAVA25" -version 2>&1 | grep -q 'version "2[5-9]' || { echo "needs JDK 25 or later: JAVA25=$JAVA25" >&2; exit 2; }
[ -f "$JAR" ] || { echo "no $JAR: mvn -B package -DskipTests first" >&2; exit 2; }

node="" bench=""
work=$(mktemp -d)
# Whatever ends the script: stop the bench and the node (which stops its embedded servers), then any
# server a killed node left behind, and remove the temporary directory.
cleanup() {
  trap '' INT TERM
  [ -n "$bench" ] && kill -TERM "$bench" 2>/dev/null || true
  if [ -n "$node" ] && kill -0 "$node" 2>/dev/null; then
    kill -TERM "$node" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$node" 2>/dev/null || break; sleep 1; done
    kill -KILL "$node" 2>/dev/null || true
  fi
  for pidfile in "$work/data/nats-server.pid" "$work/data/postgres/postmaster.pid"; do
    [ -f "$pidfile" ] || continue
    pid=$(head -1 "$pidfile")
    grep -qF "$work" "/proc/$pid/cmdline" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http=$(free_port); grpc=$(free_port); management=$(free_port); pekko=$(free_port)

env -i PATH="$PATH" HOME="$HOME" DATA_DIR="$work/data" DB_URL=embedded NATS_URL=embedded \
  EMBEDDED_PG_PORT=0 EMBEDDED_NATS_PORT=0 HTTP_PORT="$http" GRPC_PORT="$grpc" MANAGEMENT_PORT="$management" \
  PEKKO_HOST=127.0.0.1 PEKKO_PORT="$pekko" \
  "$JAVA25" -XX:AOTCacheOutput="$work/orderflow.aot" -jar "$JAR" node > "$LOG" 2>&1 &
node=$!
up=""
for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$http/api/orders?limit=1" > /dev/null && { up=yes; break; }
  kill -0 "$node" 2>/dev/null || break
  sleep 1
done
[ -n "$up" ] || { echo "the training node did not start: $LOG" >&2; exit 1; }

# The embedded servers' ports, as they bound them.
nats=$(sed -n 's/.*NATS: embedded nats-server \(nats:[^ ]*\).*/\1/p' "$LOG" | head -1)
db="jdbc:postgresql://127.0.0.1:$(sed -n 4p "$work/data/postgres/postmaster.pid")/postgres"
java -jar "$JAR" bench --url "http://127.0.0.1:$http" --nats "$nats" --db-url "$db" --db-user postgres \
  --orders "$ORDERS" --concurrency 64 --baseline-seconds 1 --warmup-seconds 0 > /dev/null &
bench=$!
wait "$bench"
bench=""
kill -TERM "$node"
wait "$node" || true   # coordinated shutdown, then the JVM writes the cache
node=""
[ -s "$work/orderflow.aot" ] || { echo "no cache written: $LOG" >&2; exit 1; }
mv "$work/orderflow.aot" "$CACHE"
echo "wrote $CACHE ($(du -h "$CACHE" | cut -f1)); start nodes with: $JAVA25 -XX:AOTCache=$CACHE -jar $JAR"
