#!/usr/bin/env bash
# Trains a JDK 25 AOT cache for target/orderflow.jar (optional; docs/PERFORMANCE.md, "JIT warm-up").
#
#   JAVA25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java scripts/aot-cache.sh
#   $JAVA25 -XX:AOTCache=target/orderflow.aot -jar target/orderflow.jar
#
# It starts a node with -XX:AOTCacheOutput under the usual environment (DB_URL, NATS_URL, ports),
# posts 2,000 orders through it with the bench, and stops it: the JVM writes the cache at exit
# (classes loaded and linked, method profiles). A node started with the cache answers its first
# orders with less JIT work. The cache belongs to that jar and that JDK: train again after a build.
# Train against a database you can spare: the orders stay in its journal.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JAR=target/orderflow.jar
CACHE=${AOT_CACHE:-target/orderflow.aot}
PORT=${HTTP_PORT:-3000}

"$JAVA25" -version 2>&1 | grep -q 'version "2[5-9]' || { echo "needs JDK 25 or later: JAVA25=$JAVA25" >&2; exit 2; }
[ -f "$JAR" ] || { echo "no $JAR: mvn -B package -DskipTests first" >&2; exit 2; }

"$JAVA25" -XX:AOTCacheOutput="$CACHE" -jar "$JAR" node > target/aot-training.log 2>&1 &
node=$!
trap 'kill "$node" 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$PORT/api/orders?limit=1" > /dev/null && break
  kill -0 "$node" 2>/dev/null || { echo "the node did not start: target/aot-training.log" >&2; exit 1; }
  sleep 1
done
java -jar "$JAR" bench --url "http://127.0.0.1:$PORT" --orders 2000 --concurrency 64 --baseline-seconds 1 > /dev/null
kill -TERM "$node"
wait "$node" || true   # coordinated shutdown, then the JVM writes the cache
trap - EXIT
[ -s "$CACHE" ] || { echo "no cache written: target/aot-training.log" >&2; exit 1; }
echo "wrote $CACHE ($(du -h "$CACHE" | cut -f1)); start nodes with: $JAVA25 -XX:AOTCache=$CACHE -jar $JAR"
