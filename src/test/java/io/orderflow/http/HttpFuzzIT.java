package io.orderflow.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.infra.Json;
import io.orderflow.testing.ErrorLog;
import io.orderflow.testing.Fuzz;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 10,000 hostile requests from a seeded generator against a real node: every one is answered
 * with a client error or a success, never a server error; every error is JSON naming the
 * problem; what was accepted is journaled exactly as answered, and nothing else; no ERROR is
 * logged. Reproduce a failure with {@code -Dfuzz.seed=N} (the seed is in the message).
 */
class HttpFuzzIT {
  static final int CASES = 10_000;
  static TestDatabase db;
  static TestNats nats;
  static TestNode node;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create();
    nats = new TestNats();
    node = TestNode.start(db, nats.url());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    nats.close();
    db.close();
  }

  @Test
  void hostileRequestsAreClientErrorsAndWhatIsAcceptedIsJournaledAsAnswered() throws Exception {
    Fuzz fuzz = new Fuzz();
    int errorsBefore = ErrorLog.mark();
    Map<String, BigDecimal> accepted = new HashMap<>();
    Map<Integer, Integer> statuses = new HashMap<>();
    List<String> ids = List.of("fz-1", "fz-2", "fz-3"); // a few fixed ids: repeats and conflicts
    for (int i = 0; i < CASES; i++) {
      HttpResponse<String> r;
      String what;
      int kind = fuzz.below(20);
      if (kind < 16) {
        String orderId = fuzz.chance(4) ? fuzz.pick(ids) : fuzz.chance(3) ? null : "fz-" + UUID.randomUUID();
        byte[] body = fuzz.body(orderId);
        String type = fuzz.chance(40) ? "text/plain" : "application/json";
        what = "POST " + new String(body, 0, Math.min(body.length, 300), java.nio.charset.StandardCharsets.UTF_8);
        r = send(HttpRequest.newBuilder(URI.create(node.url("/api/orders"))).timeout(Duration.ofSeconds(20))
            .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), what, fuzz);
        assertOneOf(Set.of(201, 400, 409, 413, 415), r, what, fuzz);
        if (r.statusCode() == 201) {
          JsonNode order = Json.MAPPER.readTree(r.body());
          accepted.put(order.get("order_id").asText(), order.get("amount").decimalValue());
        }
      } else if (kind < 19) {
        String path = "/api/orders/" + fuzz.pathSegment() + (fuzz.chance(2) ? "/events" : "");
        what = "GET " + path;
        r = send(HttpRequest.newBuilder(URI.create(node.url(path))).timeout(Duration.ofSeconds(20)).GET().build(),
            what, fuzz);
        assertOneOf(Set.of(200, 400, 404), r, what, fuzz);
      } else {
        String query = "/api/orders?customer_id=" + fuzz.pathSegment() + "&status=" + fuzz.pathSegment()
            + "&limit=" + fuzz.pathSegment();
        what = "GET " + query;
        r = send(HttpRequest.newBuilder(URI.create(node.url(query))).timeout(Duration.ofSeconds(20)).GET().build(),
            what, fuzz);
        assertOneOf(Set.of(200, 400), r, what, fuzz);
      }
      statuses.merge(r.statusCode(), 1, Integer::sum);
      if (r.statusCode() >= 400) {
        JsonNode error = Json.MAPPER.readTree(r.body());
        assertTrue(error.path("error").isTextual() && !error.get("error").asText().isBlank(),
            () -> "seed " + fuzz.seed + ": error body without a message for " + what + ": " + r.body());
      }
    }
    System.out.println("HTTP fuzz, seed " + fuzz.seed + ": statuses " + statuses + ", " + accepted.size() + " accepted");

    // Exactly what was answered 201 is in the journal, each as one order.created with its amount.
    var rows = db.rows("SELECT persistence_id, count(*) FROM event_journal WHERE sequence_number = 1"
        + " AND persistence_id LIKE 'Order|%' GROUP BY persistence_id");
    assertEquals(accepted.size(), rows.size(), "seed " + fuzz.seed + ": orders journaled vs accepted");
    for (var row : rows) {
      String id = ((String) row.get(0)).substring("Order|".length());
      assertTrue(accepted.containsKey(id), "seed " + fuzz.seed + ": journaled but never accepted: " + id);
    }
    assertEquals(List.of(), ErrorLog.since(errorsBefore), "seed " + fuzz.seed + ": nothing logged as an error");
  }

  /**
   * A case whose connection fails names its seed and input, so that it can be run again. (The
   * client closes idle connections before the server does: pom.xml, jdk.httpclient.keepalive.timeout.)
   */
  static HttpResponse<String> send(HttpRequest request, String what, Fuzz fuzz) throws Exception {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.IOException("seed " + fuzz.seed + ": no answer to " + what + " (" + e.getMessage() + ")", e);
    }
  }

  static void assertOneOf(Set<Integer> allowed, HttpResponse<String> r, String what, Fuzz fuzz) {
    if (!allowed.contains(r.statusCode())) {
      fail("seed " + fuzz.seed + ": " + r.statusCode() + " for " + what + " -> " + r.body());
    }
  }
}
