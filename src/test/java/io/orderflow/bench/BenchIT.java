package io.orderflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.Cli;
import io.orderflow.infra.Json;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench command end to end on a tiny run, so that it cannot rot. No timing is asserted. */
class BenchIT {
  static final List<String> KEYS = List.of("orders", "concurrency", "rate", "accepted_per_s", "completed_per_s",
      "accept_p50_ms", "accept_p99_ms", "e2e_p50_ms", "e2e_p99_ms", "baseline_commits_per_s", "accept_ratio",
      "complete_ratio", "node_cpu_ms_per_order", "node_jit_cpu_ms_per_order", "db_cpu_ms_per_order", "nats_cpu_ms_per_order", "errors", "warmup_orders", "warmup_e2e_p99_ms", "warmup_errors");

  /**
   * Enough orders that each process's CPU spans several of the kernel's 10 ms ticks: with 30, the
   * nats-server's share was under one tick in one run of the suite, and read as 0.
   */
  static final int ORDERS = 150;

  @Test
  void printsOneJsonLineWithEveryKeyAndNoErrors() throws Exception {
    try (TestDatabase db = TestDatabase.create(); TestNats nats = new TestNats();
        TestNode node = TestNode.start(db, nats.url())) {
      PrintStream original = System.out;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      int exit;
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        exit = Cli.run("bench", "--url", node.url(""), "--orders", Integer.toString(ORDERS), "--concurrency", "8",
            "--nats", nats.url(), "--db-url", db.url, "--baseline-seconds", "1", "--warmup-seconds", "1", "--drain-seconds", "30");
      } finally {
        System.setOut(original);
      }
      String[] lines = captured.toString(StandardCharsets.UTF_8).trim().split("\n");
      assertEquals(1, lines.length, "one line on stdout");
      JsonNode result = Json.MAPPER.readTree(lines[0]);
      List<String> keys = new ArrayList<>();
      result.fieldNames().forEachRemaining(keys::add);
      assertEquals(KEYS, keys);
      assertEquals(0, exit);
      assertEquals(ORDERS, result.get("orders").asInt());
      assertEquals(0, result.get("errors").asInt());
      assertTrue(result.get("rate").isNull(), "closed loop");
      assertTrue(result.get("completed_per_s").asDouble() > 0);
      assertTrue(result.get("baseline_commits_per_s").asDouble() > 0);
      // Found by port: the node (this JVM), PostgreSQL (with its backends), the test's nats-server.
      for (String cpu : List.of("node_cpu_ms_per_order", "db_cpu_ms_per_order", "nats_cpu_ms_per_order")) {
        assertTrue(result.get(cpu).asDouble() > 0, cpu + " measured: " + result.get(cpu));
      }
      double jit = result.get("node_jit_cpu_ms_per_order").asDouble(-1);
      assertTrue(jit >= 0 && jit <= result.get("node_cpu_ms_per_order").asDouble(),
          "the JIT's part of the node's CPU: " + result.get("node_jit_cpu_ms_per_order"));
      assertTrue(result.get("e2e_p99_ms").asDouble() >= result.get("e2e_p50_ms").asDouble());
      // The warm-up posts real orders for a second before the counted ones, and says how many.
      int warmUp = result.get("warmup_orders").asInt();
      assertTrue(warmUp > 0, "the warm-up posted orders: " + warmUp);
      assertEquals(0, result.get("warmup_errors").asInt());
      assertEquals(ORDERS + warmUp, db.count("SELECT count(*) FROM orders WHERE order_id LIKE 'bench-%'"),
          "the orders are real, the warm-up's and the counted ones");
    }
  }
}
