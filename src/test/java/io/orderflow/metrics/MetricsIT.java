package io.orderflow.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.eventstore.grpc.Event;
import io.orderflow.eventstore.grpc.EventStoreClient;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.TestStack;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /metrics on the management port changes as orders flow, in Prometheus' text format. */
class MetricsIT {
  @RegisterExtension
  static final TestStack stack = new TestStack(Map.of("orderflow.metrics.refresh-interval", "500ms"));

  /** name, optional {labels} (values may hold braces), value. */
  static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*\\})? (\\S+)$");

  /** Every sample of the exposition, "name{labels}" → value. */
  static Map<String, Double> scrape() throws Exception {
    Http.Reply r = Http.get("http://127.0.0.1:" + stack.node().managementPort + "/metrics");
    assertEquals(200, r.status());
    Map<String, Double> samples = new HashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("#") || line.isBlank()) continue;
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not an exposition line: " + line);
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }

  static double value(Map<String, Double> samples, String name) {
    return samples.getOrDefault(name, 0.0);
  }

  @Test
  void metricsCountTheOrdersAsTheyFlow() throws Exception {
    Map<String, Double> before = scrape();
    String approved = Http.post(stack.node().url("/api/orders"),
        Fixtures.approvable(null)).json().get("order_id").asText();
    String declined = Http.post(stack.node().url("/api/orders"),
        Fixtures.declinable(null)).json().get("order_id").asText();
    String rejected = Http.post(stack.node().url("/api/orders"),
        Fixtures.rejectable(null)).json().get("order_id").asText();
    for (String id : List.of(approved, declined, rejected)) Fixtures.awaitFinal(stack.node().url(""), id,
        Duration.ofSeconds(30));
    EventStoreClient grpc = EventStoreClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", stack.node().grpcPort,
            stack.node().node.system()).withTls(false),
        stack.node().node.system());
    try {
      assertTrue(grpc.createEvent(Event.newBuilder().setAggregateType("order").setEventType("order.created")
          .setAggregateId("metrics-grpc-1").setEventData(Fixtures.approvable(null)).build())
          .toCompletableFuture().get(20, TimeUnit.SECONDS).getIsSuccess());
    } finally {
      grpc.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    Fixtures.awaitFinal(stack.node().url(""), "metrics-grpc-1", Duration.ofSeconds(30));

    Eventually.await(Duration.ofSeconds(20), "the counters to show the four orders", () -> {
      Map<String, Double> now = scrape();
      return delta(before, now, "orderflow_orders_finished_total{status=\"Approved\"}") == 2
          && delta(before, now,
              "orderflow_consumer_messages_total{consumer=\"stream-processor\",outcome=\"ack\"}") >= 10;
    });
    Map<String, Double> after = scrape();
    assertEquals(3, delta(before, after, "orderflow_orders_accepted_total{entry=\"http\"}"));
    assertEquals(1, delta(before, after, "orderflow_orders_accepted_total{entry=\"grpc\"}"));
    assertEquals(2, delta(before, after, "orderflow_orders_finished_total{status=\"Approved\"}"));
    assertEquals(1, delta(before, after, "orderflow_orders_finished_total{status=\"Declined\"}"));
    assertEquals(1, delta(before, after, "orderflow_orders_finished_total{status=\"Rejected\"}"));
    assertEquals(3, delta(before, after,
        "http_server_requests_seconds_count{method=\"POST\",route=\"/api/orders\",status=\"201\"}"));
    assertEquals(1, delta(before, after, "grpc_server_requests_seconds_count{method=\"CreateEvent\",status=\"OK\"}"));
    assertTrue(delta(before, after, "orderflow_journal_persist_seconds_count") >= 11, "11 events persisted");
    assertTrue(delta(before, after, "orderflow_order_end_to_end_seconds_count") >= 4);
    assertTrue(delta(before, after, "orderflow_consumer_messages_total{consumer=\"paymentsvc\",outcome=\"ack\"}") >= 4);
    // Each event stored once by the fast path or, failing that, by the projection.
    assertTrue(delta(before, after, "orderflow_publish_seconds_count{path=\"fast\"}")
        + delta(before, after, "orderflow_publish_seconds_count{path=\"projection\"}") >= 11);
    for (String gauge : List.of("orderflow_consumer_pending_messages{consumer=\"paymentsvc\"}",
        "orderflow_consumer_ack_pending_messages{consumer=\"reviewsvc\"}",
        "orderflow_publisher_lag_events{slice=\"slice-0\"}",
        "orderflow_sharding_entities{entity=\"Order\"}", "orderflow_sharding_shards{entity=\"Order\"}",
        "orderflow_db_pool_connections{state=\"active\"}", "orderflow_db_pool_waiting_threads",
        "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}", "process_cpu_usage")) {
      assertTrue(after.containsKey(gauge), "gauge " + gauge + " in " + after.keySet());
    }
    String text = Http.get("http://127.0.0.1:" + stack.node().managementPort + "/metrics").body();
    for (String id : List.of(approved, declined, rejected)) assertFalse(text.contains(id), "no order id in a label");
  }

  static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
    return value(after, name) - value(before, name);
  }
}
