package io.orderflow.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.orderflow.infra.Json;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.JarNode;
import io.orderflow.testing.ReadModelCheck;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestStack;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code java -jar target/orderflow.jar rebuild-read-model} as users run it, against a running
 * node on a real PostgreSQL and nats-server: damaged rows repaired, deleted ones back, orphans
 * gone, and nothing that happens during the rebuild lost, even at the moment of the swap.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadModelRebuildIT {
  @RegisterExtension
  static final TestStack stack = new TestStack();

  /** One run of the command: exit code, stdout, stderr. */
  record Run(int exit, String stdout, String stderr) {
    JsonNode summary() throws Exception {
      String[] lines = stdout.trim().split("\n");
      assertEquals(1, lines.length, "one line on stdout: " + stdout);
      return Json.MAPPER.readTree(lines[0]);
    }
  }

  /** Runs the command; {@code beforeSwap} (if any) runs while it waits right before its swap. */
  static Run rebuild(Map<String, String> env, Runnable beforeSwap, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx256m", "-jar", JarNode.JAR.toString(), "rebuild-read-model"));
    command.addAll(List.of(args));
    if (beforeSwap != null) command.add("--wait-before-swap");
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("DB_URL");
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      StringBuilder err = new StringBuilder();
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getErrorStream(),
          StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          err.append(line).append('\n');
          if (beforeSwap != null && line.contains("waiting before the swap")) {
            beforeSwap.run();
            OutputStream in = p.getOutputStream();
            in.write('\n');
            in.flush();
          }
        }
      }
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command finishes");
      return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.toString());
    } finally {
      p.destroyForcibly();
    }
  }

  static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Map<String, String> dbEnv() {
    return Map.of("DB_URL", stack.db().url, "DB_USER", "postgres");
  }

  static void sql(String... statements) throws Exception {
    try (var c = stack.db().connect(); Statement st = c.createStatement()) {
      for (String s : statements) st.execute(s);
    }
  }

  static String post(String body) throws Exception {
    Http.Reply r = Http.post(stack.node().url("/api/orders"), body);
    assertEquals(201, r.status(), r.body());
    return r.json().get("order_id").asText();
  }

  static String body(int i, String id) {
    return switch (i % 3) {
      case 0 -> Fixtures.approvable(id);
      case 1 -> Fixtures.declinable(id);
      default -> Fixtures.rejectable(id);
    };
  }

  /** Every message settled by every consumer: the read model has seen everything journaled. */
  static void awaitQuiet() throws Exception {
    try (Connection nc = stack.nats().connect()) {
      JetStreamManagement jsm = nc.jetStreamManagement();
      for (String consumer : List.of("paymentsvc", "reviewsvc", "paymentsvc-refunds", "stream-processor")) {
        Eventually.await(Duration.ofSeconds(60), consumer + " to settle every message", () -> {
          ConsumerInfo info = jsm.getConsumerInfo("order", consumer);
          return info.getNumPending() == 0 && info.getNumAckPending() == 0;
        });
      }
    }
  }

  static List<List<Object>> structure() throws Exception {
    List<List<Object>> s = new ArrayList<>(stack.db().rows("SELECT tablename, indexname, indexdef FROM pg_indexes"
        + " WHERE schemaname = current_schema() AND tablename IN ('orders', 'order_items') ORDER BY 1, 2"));
    s.addAll(stack.db().rows("SELECT table_name, constraint_name, constraint_type FROM information_schema.table_constraints"
        + " WHERE table_schema = current_schema() AND table_name IN ('orders', 'order_items')"
        + " AND constraint_type <> 'CHECK' ORDER BY 1, 2"));
    return s;
  }

  @Test
  @Order(1)
  void refusesClearlyWithoutAReachableDatabase() throws Exception {
    Run missing = rebuild(Map.of(), null);
    assertEquals(1, missing.exit());
    assertTrue(missing.stderr().contains("DB_URL is not set"), missing.stderr());
    assertEquals("", missing.stdout());
    Run unreachable = rebuild(Map.of("DB_URL", "jdbc:postgresql://127.0.0.1:1/orderflow"), null);
    assertEquals(1, unreachable.exit());
    assertTrue(unreachable.stderr().contains("cannot reach the database at jdbc:postgresql://127.0.0.1:1/orderflow"),
        unreachable.stderr());
    assertEquals("", unreachable.stdout());
  }

  @Test
  @Order(2)
  void repairsRestoresAndRemovesAndSaysHowMany() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 9; i++) ids.add(post(body(i, "quiet-" + i + "-" + UUID.randomUUID())));
    for (String id : ids) Fixtures.awaitFinal(stack.node().url(""), id, Duration.ofSeconds(30));
    awaitQuiet();
    List<List<Object>> before = structure();
    sql("DELETE FROM orders WHERE order_id = '" + ids.get(0) + "'",
        "UPDATE orders SET status = 'Pending' WHERE order_id = '" + ids.get(1) + "'",
        "DELETE FROM order_items WHERE order_id = '" + ids.get(2) + "'",
        "INSERT INTO orders (order_id, customer_id, restaurant_id, status, created_on, amount, updated_on,"
            + " last_event_seq) VALUES ('ghost', 'c', 'r', 'Approved', 1, 1, 1, 3)",
        // what a rebuild that died half-way leaves behind
        "CREATE TABLE orders_rebuild (x INT)");

    Run refused = rebuild(dbEnv(), null);
    assertEquals(1, refused.exit(), refused.stderr());
    assertTrue(refused.stderr().contains("--force"), refused.stderr());
    assertEquals(404, Http.get(stack.node().url("/api/orders/" + ids.get(0))).status(),
        "the live read model untouched");

    Run run = rebuild(dbEnv(), null, "--force");
    assertEquals(0, run.exit(), run.stderr());
    JsonNode summary = run.summary();
    assertEquals(List.of(9, 1, 2, 1, 0), List.of(summary.get("orders").asInt(), summary.get("restored").asInt(),
        summary.get("repaired").asInt(), summary.get("removed").asInt(), summary.get("caught_up").asInt()),
        summary.toString());
    assertTrue(summary.get("events").asInt() >= 9 * 2, summary.toString());
    assertTrue(run.stderr().contains("replaying the journal") && run.stderr().contains("swapped in"), run.stderr());
    ReadModelCheck.assertReadModelEqualsJournalReplay(stack.node().node.system(), stack.db());
    assertEquals(before, structure(), "indexes and constraints under their schema.sql names");
    assertEquals(0,
        stack.db().count("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        + " AND (table_name LIKE '%\\_old' OR table_name LIKE '%\\_rebuild')"), "no tables left behind");
    // The node's start-up script still finds its indexes where it expects them.
    sql(new String(ReadModelRebuildIT.class.getClassLoader().getResourceAsStream("db/schema.sql").readAllBytes(),
        StandardCharsets.UTF_8));
    assertEquals(before, structure(), "schema.sql adds nothing after a rebuild");
  }

  @Test
  @Order(3)
  void nothingThatHappensDuringTheRebuildIsLostNotEvenAtTheSwap() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) ids.add(post(body(i, "before-" + i + "-" + UUID.randomUUID())));
    for (String id : ids) Fixtures.awaitFinal(stack.node().url(""), id, Duration.ofSeconds(60));
    awaitQuiet();
    String rejected = ids.get(2);
    sql("DELETE FROM orders WHERE order_id IN ('" + ids.get(0) + "', '" + ids.get(1) + "')",
        "UPDATE orders SET amount = 0 WHERE order_id = '" + ids.get(3) + "'",
        // a row claiming a later event than the journal has: the stream-processor would never touch it again
        "UPDATE orders SET status = 'Approved', refund_id = NULL, last_event_seq = 99 WHERE order_id = '" + rejected
            + "'",
        "UPDATE orders SET currency = 'EUR' WHERE order_id = '" + ids.get(4) + "'",
        "INSERT INTO orders (order_id, customer_id, restaurant_id, status, created_on, amount, updated_on,"
            + " last_event_seq) VALUES ('ghost-2', 'c', 'r', 'Approved', 1, 1, 1, 3)");

    // Clients keep posting all along.
    AtomicBoolean stop = new AtomicBoolean();
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicInteger n = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(2);
    for (int t = 0; t < 2; t++) {
      clients.submit(() -> {
        while (!stop.get()) {
          int i = n.getAndIncrement();
          accepted.add(post(body(i, "during-" + i + "-" + UUID.randomUUID())));
          Thread.sleep(50);
        }
        return null;
      });
    }
    Map<String, String> atSwap = new HashMap<>();
    try {
      Run run = rebuild(dbEnv(), () -> {
        // Right before the swap: orders that the stream-processor writes into the live table
        // after every catch-up pass, and a row deleted by hand. The swap must keep all of it.
        try {
          for (int i = 0; i < 3; i++) atSwap.put(post(body(i, "at-swap-" + i + "-" + UUID.randomUUID())), null);
          for (String id : atSwap.keySet()) atSwap.put(id, Fixtures.awaitFinal(stack.node().url(""), id,
              Duration.ofSeconds(60))
              .get("status").asText());
          sql("DELETE FROM orders WHERE order_id = '" + ids.get(5) + "'");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertEquals(0, run.exit(), run.stderr());
      JsonNode summary = run.summary();
      assertTrue(summary.get("restored").asInt() >= 3, summary.toString());
      assertTrue(summary.get("repaired").asInt() >= 3, summary.toString());
      assertTrue(summary.get("removed").asInt() >= 1, summary.toString());
      assertTrue(summary.get("caught_up").asInt() >= 3, "the orders written right before the swap: " + summary);
    } finally {
      stop.set(true);
      clients.shutdown();
      assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
    }
    assertTrue(accepted.size() > 0, "orders were posted during the rebuild");
    // Orders the clients were posting all along, including during the swap, all finish.
    for (String id : accepted) Fixtures.awaitFinal(stack.node().url(""), id, Duration.ofSeconds(60));
    awaitQuiet();
    for (var e : atSwap.entrySet()) {
      assertEquals(e.getValue(), Http.get(stack.node().url("/api/orders/" + e.getKey())).json().get("status").asText());
    }
    JsonNode repaired = Http.get(stack.node().url("/api/orders/" + rejected)).json();
    assertEquals("Rejected", repaired.get("status").asText());
    assertTrue(repaired.get("refund_id").asText().startsWith("ref_"));
    ReadModelCheck.assertReadModelEqualsJournalReplay(stack.node().node.system(), stack.db());
    assertEquals(Set.of(), stack.db().rows("SELECT order_id FROM orders WHERE order_id LIKE 'ghost%'").stream()
        .map(r -> r.get(0)).collect(Collectors.toSet()));
  }

  @Test
  @Order(4)
  void theRebuiltTablesAreExactlyWhatSchemaSqlMakes() throws Exception {
    try (TestDatabase fresh = TestDatabase.create()) {
      try (var c = fresh.connect(); Statement st = c.createStatement()) {
        st.execute(new String(getClass().getClassLoader().getResourceAsStream("db/schema.sql").readAllBytes(),
            StandardCharsets.UTF_8));
      }
      String columns = "SELECT table_name, column_name, ordinal_position, data_type, character_maximum_length,"
          + " numeric_precision, numeric_scale, is_nullable, column_default FROM information_schema.columns"
          + " WHERE table_schema = current_schema() AND table_name IN ('orders', 'order_items') ORDER BY 1, 3";
      String references = "SELECT constraint_name, unique_constraint_name, delete_rule"
          + " FROM information_schema.referential_constraints WHERE constraint_schema = current_schema()";
      assertEquals(fresh.rows(columns), stack.db().rows(columns), "columns");
      List<List<Object>> freshStructure = new ArrayList<>(fresh.rows("SELECT tablename, indexname, indexdef"
          + " FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('orders', 'order_items') ORDER BY 1, 2"));
      freshStructure.addAll(fresh.rows("SELECT table_name, constraint_name, constraint_type"
          + " FROM information_schema.table_constraints WHERE table_schema = current_schema()"
          + " AND table_name IN ('orders', 'order_items') AND constraint_type <> 'CHECK' ORDER BY 1, 2"));
      assertEquals(freshStructure, structure(), "indexes and constraints");
      assertEquals(fresh.rows(references).stream().filter(r -> r.get(0).toString().startsWith("order_items")).toList(),
          stack.db().rows(references).stream().filter(r -> r.get(0).toString().startsWith("order_items")).toList());
    }
  }

  @Test
  @Order(5)
  void anEventThatCannotBeReadStopsTheRebuildAndLeavesEverythingAsItWas() throws Exception {
    String rows = "SELECT order_id, status, amount, refund_id, last_event_seq FROM orders ORDER BY 1";
    List<List<Object>> before = stack.db().rows(rows);
    // Untagged, so the running node's publisher never meets it; only a replay of everything does.
    sql("INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp, event_ser_id,"
        + " event_ser_manifest, event_payload) VALUES ('Order|broken', 1, 'test', 1, 33,"
        + " 'io.orderflow.order.Order$NoSuchEvent', '\\x00')");
    Run run = rebuild(dbEnv(), null);
    assertEquals(1, run.exit());
    assertTrue(run.stderr().contains("event Order|broken:1 (io.orderflow.order.Order$NoSuchEvent) cannot be read"),
        run.stderr());
    assertEquals("", run.stdout());
    assertEquals(before, stack.db().rows(rows), "the live read model is untouched");
    assertEquals(0,
        stack.db().count("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        + " AND (table_name LIKE '%\\_old' OR table_name LIKE '%\\_rebuild')"), "no tables left behind");
    sql("DELETE FROM event_journal WHERE persistence_id = 'Order|broken'");
    Run again = rebuild(dbEnv(), null);
    assertEquals(0, again.exit(), "no --force needed: " + again.stderr());
  }
}
