package io.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import io.orderflow.infra.Json;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.ReadModelCheck;
import io.orderflow.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Journal → JetStream → payment, review and the read model, on a real PostgreSQL and nats-server. */
class PipelineIT {
  @RegisterExtension
  static final TestStack stack = new TestStack();

  static String post(String body) throws Exception {
    Http.Reply r = Http.post(stack.node().url("/api/orders"), body);
    assertEquals(201, r.status(), r.body());
    return r.json().get("order_id").asText();
  }

  static List<MessageInfo> messagesOf(String orderId) throws Exception {
    return stack.nats().messages("order").stream()
        .filter(m -> m.getHeaders() != null && orderId.equals(m.getHeaders().getFirst("Aggregate-Id"))).toList();
  }

  @Test
  void ordersReachApprovedDeclinedAndRejectedWithExactlyTheirEventsInTheStream() throws Exception {
    String approved = post(Fixtures.approvable(null));
    String declined = post(Fixtures.declinable(null));
    String rejected = post(Fixtures.rejectable(null));

    assertEquals("Approved", Fixtures.awaitFinal(stack.node().url(""), approved,
        Duration.ofSeconds(30)).get("status").asText());
    JsonNode d = Fixtures.awaitFinal(stack.node().url(""), declined, Duration.ofSeconds(30));
    assertEquals("Declined", d.get("status").asText());
    assertTrue(d.get("reason").asText().contains("exceeds the limit"));
    JsonNode r = Fixtures.awaitFinal(stack.node().url(""), rejected, Duration.ofSeconds(30));
    assertEquals("Rejected", r.get("status").asText());
    assertTrue(r.get("reason").asText().contains("total quantity 101"));
    // Rejected after the debit: the money goes back, and the order says with which refund.
    assertTrue(r.get("refund_id").asText().startsWith("ref_"), r.toString());
    assertTrue(r.get("payment_id").asText().startsWith("pay_"), r.toString());
    assertTrue(d.path("refund_id").isMissingNode(), "a declined order was never debited, so never refunded");
    assertEquals("USD", r.get("currency").asText());

    for (var expected : List.of(
        new Object[] {approved, Fixtures.APPROVED_EVENTS, List.of("Pending", "Paid", "Approved")},
        new Object[] {declined, Fixtures.DECLINED_EVENTS, List.of("Pending", "Declined")},
        new Object[] {rejected, Fixtures.REJECTED_EVENTS, List.of("Pending", "Paid", "Rejected", "Rejected")})) {
      String id = (String) expected[0];
      List<MessageInfo> msgs = messagesOf(id);
      assertEquals(expected[1], msgs.stream().map(MessageInfo::getSubject).toList(), "subjects of " + id);
      for (int i = 0; i < msgs.size(); i++) {
        Headers h = msgs.get(i).getHeaders();
        long seq = i + 1;
        assertEquals("Order|" + id + ":" + seq, h.getFirst("Nats-Msg-Id"));
        assertEquals(Long.toString(seq), h.getFirst("Seq-Nr"));
        assertEquals("order", h.getFirst("Aggregate-Type"));
        assertEquals(msgs.get(i).getSubject(), h.getFirst("Event-Type"));
        assertEquals("Order|" + id + ":" + seq, h.getFirst("Event-Id"));
        JsonNode body = Json.MAPPER.readTree(msgs.get(i).getData());
        assertEquals(id, body.get("order_id").asText());
        assertEquals(((List<?>) expected[2]).get(i), body.get("status").asText(), "event-carried state");
        assertEquals(1, body.get("order_items").size());
        assertEquals(msgs.get(i).getSubject().equals("order.payment.refunded"), body.has("refund_id"),
            "refund_id from the refund on");
      }
    }
  }

  @Test
  void poisonMessagesAreTerminatedAndTheOrdersBehindThemGoThrough() throws Exception {
    try (Connection nc = stack.nats().connect()) {
      var js = nc.jetStream();
      js.publish("order.created", "this is not json".getBytes(StandardCharsets.UTF_8));
      js.publish("order.created", Fixtures.approvable("ghost-order").getBytes(StandardCharsets.UTF_8));
      js.publish("order.exploded", "{}".getBytes(StandardCharsets.UTF_8));
      js.publish("order.payment.debited", "{\"order_id\":\"x\"}".getBytes(StandardCharsets.UTF_8),
          PublishOptions.builder().messageId("poison-3").build());
      // Well-formed, but the read model's database refuses it (NUL in text): only it is dead-lettered.
      Headers h = new Headers().add("Seq-Nr", "1");
      js.publish("order.approved", h, ("{\"order_id\":\"nul-order\",\"customer_id\":\"c\",\"restaurant_id\":\"r\","
          + "\"status\":\"Approved\",\"created_on\":1,\"amount\":1,\"order_items\":[{\"code\":\"A\",\"name\":\"x\\u0000\","
          + "\"unit_price\":1,\"quantity\":1}]}").getBytes(StandardCharsets.UTF_8));
      js.publish("order.approved", h,
          "{\"order_id\":\"a|b\",\"status\":\"Approved\"}".getBytes(StandardCharsets.UTF_8));
    }
    String after = post(Fixtures.approvable(null));
    assertEquals("Approved", Fixtures.awaitFinal(stack.node().url(""), after,
        Duration.ofSeconds(30)).get("status").asText());
    try (Connection nc = stack.nats().connect()) {
      JetStreamManagement jsm = nc.jetStreamManagement();
      for (String consumer : List.of("paymentsvc", "reviewsvc", "paymentsvc-refunds", "stream-processor")) {
        Eventually.await(Duration.ofSeconds(20), consumer + " to settle every message", () -> {
          ConsumerInfo info = jsm.getConsumerInfo("order", consumer);
          return info.getNumPending() == 0 && info.getNumAckPending() == 0;
        });
      }
    }
    assertEquals(404, Http.get(stack.node().url("/api/orders/ghost-order")).status(),
        "a message alone creates no order");
    assertEquals(404, Http.get(stack.node().url("/api/orders/nul-order")).status(), "the refused message left nothing");
  }

  /**
   * A fresh database's journal is analyzed as it grows (JournalStatistics), so the publisher's
   * cached query plan is not one made for empty tables. Manual ANALYZEs only: autovacuum counts
   * its own apart.
   */
  @Test
  void aYoungJournalIsAnalyzedAsItGrows() throws Exception {
    while (stack.db().count("SELECT count(*) FROM event_journal") < 120) post(Fixtures.approvable(null));
    Eventually.await(Duration.ofSeconds(30), "event_journal and event_tag analyzed with 100+ events", () -> {
      for (String table : List.of("event_journal", "event_tag")) {
        long analyzes = stack.db().count("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = ?", table);
        long estimated = stack.db().count("SELECT reltuples::bigint FROM pg_class WHERE relname = ?", table);
        if (analyzes < 1 || estimated < 100) return false;
      }
      return true;
    });
  }

  @Test
  void readModelEqualsTheReplayOfTheJournal() throws Exception {
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(post(switch (i % 3) {
        case 0 -> Fixtures.approvable("rm-" + i + "-" + UUID.randomUUID());
        case 1 -> Fixtures.declinable(null);
        default -> Fixtures.rejectable(null);
      }));
    }
    for (String id : ids) Fixtures.awaitFinal(stack.node().url(""), id, Duration.ofSeconds(30));
    ReadModelCheck.assertReadModelEqualsJournalReplay(stack.node().node.system(), stack.db());
  }
}
