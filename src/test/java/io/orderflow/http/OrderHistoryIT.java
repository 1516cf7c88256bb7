package io.orderflow.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nats.client.api.MessageInfo;
import io.orderflow.eventstore.grpc.Event;
import io.orderflow.eventstore.grpc.EventFilter;
import io.orderflow.eventstore.grpc.EventStoreClient;
import io.orderflow.infra.Json;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.TestDatabase;
import io.orderflow.testing.TestNats;
import io.orderflow.testing.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An order's history: GET /api/orders/{id}?at_seq=N from the journal, the refund in every view
 * (HTTP, JetStream, gRPC), and the currency end to end.
 */
class OrderHistoryIT {
  static TestDatabase db;
  static TestNats nats;
  static TestNode node;
  static String rejected;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create();
    nats = new TestNats();
    node = TestNode.start(db, nats.url());
    rejected = "hist-" + UUID.randomUUID();
    assertEquals(201, Http.post(node.url("/api/orders"), Fixtures.rejectable(rejected)).status());
    Fixtures.awaitFinal(node.url(""), rejected, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    nats.close();
    db.close();
  }

  static Http.Reply at(String id, String seq) throws Exception {
    return Http.get(node.url("/api/orders/" + id + "?at_seq=" + seq));
  }

  @Test
  void eachEventsStateIsServedAndEqualsWhatWasPublishedAfterIt() throws Exception {
    List<String> statuses = List.of("Pending", "Paid", "Rejected", "Rejected");
    List<MessageInfo> messages = nats.messages("order").stream()
        .filter(m -> m.getHeaders() != null && rejected.equals(m.getHeaders().getFirst("Aggregate-Id"))).toList();
    assertEquals(Fixtures.REJECTED_EVENTS, messages.stream().map(MessageInfo::getSubject).toList());
    for (int n = 1; n <= 4; n++) {
      Http.Reply r = at(rejected, Integer.toString(n));
      assertEquals(200, r.status(), r.body());
      JsonNode body = r.json();
      assertEquals(n, body.get("seq_nr").asLong());
      assertEquals(statuses.get(n - 1), body.get("status").asText(), "after event " + n);
      // The journal's answer is the state the event carried on JetStream.
      ObjectNode withoutSeq = ((ObjectNode) body.deepCopy());
      withoutSeq.remove("seq_nr");
      assertEquals(Json.MAPPER.readTree(messages.get(n - 1).getData()), withoutSeq, "state after event " + n);
    }
    assertFalse(at(rejected, "1").json().has("payment_id"));
    assertTrue(at(rejected, "2").json().get("payment_id").asText().startsWith("pay_"));
    assertFalse(at(rejected, "3").json().has("refund_id"), "rejected, not yet refunded");
    assertTrue(at(rejected, "4").json().get("refund_id").asText().startsWith("ref_"));
    assertEquals(at(rejected, "4").json().get("refund_id"), Http.get(node.url("/api/orders/" + rejected)).json()
        .get("refund_id"), "the read model shows the refund too");
    assertEquals(at(rejected, "2").body(), at(rejected, "0002").body());
  }

  @Test
  void theRefundIsInTheGrpcViewToo() throws Exception {
    EventStoreClient client = EventStoreClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", node.grpcPort, node.node.system()).withTls(false),
        node.node.system());
    try {
      List<Event> events = client.getEvents(EventFilter.newBuilder().setAggregateId(rejected).build())
          .toCompletableFuture().get(20, TimeUnit.SECONDS).getEventsList();
      assertEquals(Fixtures.REJECTED_EVENTS, events.stream().map(Event::getEventType).toList());
      JsonNode refund = Json.MAPPER.readTree(events.get(3).getEventData());
      assertEquals(rejected, refund.get("order_id").asText());
      assertEquals(at(rejected, "4").json().get("refund_id"), refund.get("refund_id"));
      assertEquals("Order|" + rejected + ":4", events.get(3).getEventId());
    } finally {
      client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void pastTheLastEventOrAnUnknownOrderIsNotFound() throws Exception {
    for (Http.Reply r : List.of(at(rejected, "5"), at(rejected, "9223372036854775807"),
        at(rejected, "99999999999999999999999"), at("no-such-order", "1"))) {
      assertEquals(404, r.status(), r.body());
      assertTrue(r.json().has("error"), r.body());
    }
    // An id no order can have is the client's error, as everywhere in the path.
    assertEquals(400, at("a%7Cb", "1").status());
    assertTrue(at(rejected, "5").json().get("error").asText().contains("4 events"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "abc", "1.5", "", "%2B1", "1e3", "00"})
  void anythingButAPositiveWholeNumberIsABadRequest(String seq) throws Exception {
    Http.Reply r = at(rejected, seq);
    assertEquals(400, r.status(), r.body());
    assertTrue(r.json().get("error").asText().contains("at_seq"), r.body());
  }

  @Test
  void aCurrencyIsKeptEverywhereAndABadOneIsRefusedAtTheEdge() throws Exception {
    String id = "eur-" + UUID.randomUUID();
    String body = Fixtures.approvable(id).replace("{\"order_id\"", "{\"currency\":\"EUR\",\"order_id\"");
    Http.Reply created = Http.post(node.url("/api/orders"), body);
    assertEquals(201, created.status(), created.body());
    assertEquals("EUR", created.json().get("currency").asText());
    JsonNode done = Fixtures.awaitFinal(node.url(""), id, Duration.ofSeconds(30));
    assertEquals("EUR", done.get("currency").asText(), "read model");
    JsonNode events = Http.get(node.url("/api/orders/" + id + "/events")).json().get("events");
    assertEquals("EUR", events.get(0).get("data").get("currency").asText(), "the event");
    assertEquals("EUR", at(id, "1").json().get("currency").asText());
    // The same order in dollars is another order under the same id.
    assertEquals(409, Http.post(node.url("/api/orders"), Fixtures.approvable(id)).status());
    long before = db.count("SELECT count(*) FROM event_journal");
    Http.Reply bad = Http.post(node.url("/api/orders"), body.replace("EUR", "euro").replace(id, "bad-" + id));
    assertEquals(400, bad.status(), bad.body());
    assertTrue(bad.json().get("error").asText().startsWith("currency:"), bad.body());
    // An order without currency is in dollars.
    String usd = "usd-" + UUID.randomUUID();
    assertEquals("USD", Http.post(node.url("/api/orders"), Fixtures.approvable(usd)).json().get("currency").asText());
    Fixtures.awaitFinal(node.url(""), usd, Duration.ofSeconds(30));
    assertEquals(0, db.count("SELECT count(*) FROM event_journal WHERE persistence_id = ?", "Order|bad-" + id));
    assertEquals(before + 3, db.count("SELECT count(*) FROM event_journal"), "only the dollar order was journaled");
  }
}
