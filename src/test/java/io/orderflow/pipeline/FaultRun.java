package io.orderflow.pipeline;

import io.orderflow.testing.JarNode;
import io.orderflow.testing.OrderLoad;
import io.orderflow.testing.OrderLoad.Attempt;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A measurement for docs/FAULTS.md, not a test: the built jar under a steady load of orders with
 * client-chosen ids; at 15 s its nats-server ({@code nats}) or the node itself ({@code node}) is
 * killed with SIGKILL and started again after a while. Prints what the clients saw and whether
 * every journaled order finished. Everything it starts is stopped when it ends, failed or not.
 *
 * <pre>
 * mvn -o -q package -DskipTests && mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) io.orderflow.pipeline.FaultRun nats 100 60 15
 * </pre>
 */
public final class FaultRun {
  private FaultRun() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4 || !Set.of("nats", "node").contains(args[0])) {
      System.err.println("usage: FaultRun nats|node <orders per second> <seconds of load> <seconds down>");
      System.exit(2);
    }
    String fault = args[0];
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    int downFor = Integer.parseInt(args[3]);
    JarNode node = null;
    JarNode restarted = null;
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats()) {
      try {
        node = new JarNode("fault-" + fault, db, nats.url(), Map.of()).start().awaitUp(Duration.ofSeconds(90));
        long start = System.nanoTime();
        long down;
        long back;
        List<Attempt> attempts;
        try (OrderLoad load = new OrderLoad(node.url(""), fault, rate)) {
          Thread.sleep(15_000);
          down = System.nanoTime();
          if (fault.equals("nats")) {
            ProcessHandle server = ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("nats-server")).findFirst().orElseThrow();
            server.destroyForcibly();
            server.onExit().get();
            Thread.sleep(downFor * 1000L);
            nats.start();
          } else {
            node.kill();
            Thread.sleep(downFor * 1000L);
            restarted = new JarNode("fault-node-restarted", db, nats.url(), Map.of(
                "HTTP_PORT", "" + node.httpPort, "PEKKO_PORT", "" + node.pekkoPort,
                "MANAGEMENT_PORT", "" + node.managementPort, "GRPC_PORT", "" + node.grpcPort)).start();
          }
          back = System.nanoTime();
          Thread.sleep(Math.max(0, seconds * 1000L - (System.nanoTime() - start) / 1_000_000));
          load.close();
          attempts = load.attempts();
        }
        report(fault, rate, seconds, downFor, attempts, down, back);
        Set<String> accepted = attempts.stream().filter(a -> a.status() == 201).map(Attempt::orderId)
            .collect(Collectors.toSet());
        long waitStart = System.nanoTime();
        long deadline = waitStart + Duration.ofSeconds(180).toNanos();
        long finished = 0;
        while (System.nanoTime() < deadline) {
          finished = db.count("SELECT count(*) FROM orders WHERE status IN ('Approved', 'Declined', 'Rejected')"
              + " AND order_id LIKE ?", fault + "-%");
          long journaled = db.count("SELECT count(DISTINCT persistence_id) FROM event_journal WHERE persistence_id LIKE ?",
              "Order|" + fault + "-%");
          if (finished >= journaled) break;
          Thread.sleep(1000);
        }
        long journaled = db.count("SELECT count(DISTINCT persistence_id) FROM event_journal WHERE persistence_id LIKE ?",
            "Order|" + fault + "-%");
        System.out.printf("%s: %d accepted, %d journaled, %d finished %d s after the load ended; not finished: %d%n",
            fault, accepted.size(), journaled, finished, (System.nanoTime() - waitStart) / 1_000_000_000,
            journaled - finished);
      } finally {
        if (restarted != null) restarted.close();
        if (node != null) node.close();
      }
    }
  }

  private static void report(String fault, int rate, int seconds, int downFor, List<Attempt> attempts, long down,
      long back) {
    Map<Integer, Long> total = attempts.stream()
        .collect(Collectors.groupingBy(Attempt::status, TreeMap::new, Collectors.counting()));
    List<Attempt> other = attempts.stream().filter(a -> a.status() != 201).toList();
    String window = other.isEmpty() ? "none" : String.format("sent from %d ms to %d ms after the fault",
        other.stream().mapToLong(a -> (a.sentNanos() - down) / 1_000_000).min().orElseThrow(),
        other.stream().mapToLong(a -> (a.sentNanos() - down) / 1_000_000).max().orElseThrow());
    String first201 = attempts.stream().filter(a -> a.sentNanos() >= back && a.status() == 201)
        .mapToLong(a -> (a.answeredNanos() - back) / 1_000_000).min().stream().mapToObj(ms -> ms + " ms")
        .findFirst().orElse("none");
    System.out.printf("%s killed, started again after %d s, at %d orders/s for %d s: %d posts %s (-1: no answer);"
        + " not 201: %s; first 201 to a post sent after the restart: %s after it%n",
        fault, downFor, rate, seconds, attempts.size(), total, window, first201);
  }
}
