package io.orderflow.cluster;

import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.JarNode;
import io.orderflow.testing.Ports;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Measures failover (docs/CLUSTER.md): three nodes from the built jar; one is killed with
 * SIGKILL while a new order whose shard lived on it is posted to a survivor every 200 ms, each in
 * its own request. Prints, by the time since the kill they were sent, how those orders were
 * answered, and how long the killed node's shards answered 503.
 *
 * <pre>
 * mvn -o package -DskipTests   # the jar and the test classes
 * java -cp target/test-classes:target/orderflow.jar io.orderflow.cluster.FailoverTime [oldest|youngest] [runs]
 * </pre>
 * {@code oldest} kills the node that runs the shard coordinator (the first seed node) as well;
 * {@code youngest} (the default) another one. JAVA_TOOL_OPTIONS of this process reaches the nodes,
 * so settings can be tried without a rebuild (-Dpekko.cluster....).
 */
public final class FailoverTime {
  record Probe(long sentNanos, long answeredNanos, int status) {}

  public static void main(String[] args) throws Exception {
    boolean oldest = args.length > 0 && args[0].equals("oldest");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    for (int r = 0; r < runs; r++) run(oldest);
    System.exit(0);
  }

  static void run(boolean oldest) throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats()) {
      int[] pekkoPorts = {Ports.free(), Ports.free(), Ports.free()};
      String seeds = java.util.Arrays.stream(pekkoPorts).mapToObj(p -> "127.0.0.1:" + p)
          .collect(Collectors.joining(","));
      List<JarNode> nodes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        nodes.add(new JarNode("failover-" + (i + 1), db, nats.url(),
            Map.of("SEED_NODES", seeds, "PEKKO_PORT", Integer.toString(pekkoPorts[i]))));
      }
      ExecutorService probes = Executors.newFixedThreadPool(64);
      try {
        nodes.get(0).start(); // the first seed node forms the cluster: it is the oldest
        Thread.sleep(3000);
        nodes.get(1).start();
        nodes.get(2).start();
        for (JarNode n : nodes) n.awaitUp(Duration.ofSeconds(120));
        Eventually.await(Duration.ofSeconds(60), "three Up members", () -> ClusterIT.upMembers(nodes.get(0)).size() == 3);
        JarNode victim = nodes.get(oldest ? 0 : 2);
        JarNode survivor = nodes.get(1);
        // Orders everywhere, so that every node hosts shards.
        for (int i = 0; i < 60; i++) Http.post(nodes.get(i % 3).url("/api/orders"), Fixtures.approvable(null));
        Set<Integer> shards = FrozenNodeIT.shards(victim);
        System.out.printf("%nkilling %s (%s), which hosts %d Order shards%n", victim.name,
            oldest ? "the oldest: shard coordinator" : "not the oldest", shards.size());

        List<Probe> results = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        long killedAt = 0;
        long end = Long.MAX_VALUE;
        for (int i = 0; System.nanoTime() < end; i++) {
          if (i == 15) {
            victim.kill();
            killedAt = System.nanoTime();
            end = killedAt + TimeUnit.SECONDS.toNanos(45);
          }
          String id = FrozenNodeIT.idOnShards(shards);
          probes.submit(() -> {
            long sent = System.nanoTime();
            int status;
            try {
              status = Http.post(survivor.url("/api/orders"), Fixtures.approvable(id)).status();
            } catch (Exception e) {
              status = -1;
            }
            results.add(new Probe(sent, System.nanoTime(), status));
          });
          Thread.sleep(200);
        }
        probes.shutdown();
        probes.awaitTermination(30, TimeUnit.SECONDS);
        report(results, killedAt);
      } finally {
        probes.shutdownNow();
        for (JarNode n : nodes) n.close();
      }
    }
  }

  static void report(List<Probe> probes, long killedAt) {
    List<Probe> after = probes.stream().filter(p -> p.sentNanos() >= killedAt)
        .sorted(Comparator.comparingLong(Probe::sentNanos)).toList();
    System.out.println("sent (s after kill)  status  answered (s after kill)");
    for (Probe p : after) {
      System.out.printf("%8.1f %12d %14.1f%n", secs(p.sentNanos() - killedAt), p.status(), secs(p.answeredNanos() - killedAt));
    }
    List<Probe> failed = after.stream().filter(p -> p.status() != 201).toList();
    long firstOk = after.stream().filter(p -> p.status() == 201).mapToLong(Probe::answeredNanos).min().orElse(-1);
    long lastFailedSent = failed.stream().mapToLong(Probe::sentNanos).max().orElse(killedAt);
    long lastFailedAnswer = failed.stream().mapToLong(Probe::answeredNanos).max().orElse(killedAt);
    System.out.printf("probes after the kill: %d, answered 201: %d, 503: %d, other: %d%n", after.size(),
        after.stream().filter(p -> p.status() == 201).count(), failed.stream().filter(p -> p.status() == 503).count(),
        failed.stream().filter(p -> p.status() != 503).count());
    System.out.printf("last failed order: sent %.1f s, answered %.1f s after the kill%n",
        secs(lastFailedSent - killedAt), secs(lastFailedAnswer - killedAt));
    System.out.printf("first order on the killed node's shards accepted %.1f s after the kill%n",
        secs(firstOk - killedAt));
  }

  static double secs(long nanos) {
    return nanos / 1e9;
  }

  private FailoverTime() {}
}
