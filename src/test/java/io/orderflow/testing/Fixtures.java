package io.orderflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.api.MessageInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Order bodies and the checks the pipeline tests share. */
public final class Fixtures {
  private Fixtures() {}

  public static String order(String orderId, String customer, String unitPrice, int quantity) {
    return "{" + (orderId == null ? "" : "\"order_id\":\"" + orderId + "\",")
        + "\"customer_id\":\"" + customer + "\",\"restaurant_id\":\"r-1\",\"order_items\":["
        + "{\"code\":\"A1\",\"name\":\"Pho\",\"unit_price\":" + unitPrice + ",\"quantity\":" + quantity + "}]}";
  }

  /** Approved by default policies: 5 × 8.50 = 42.50. */
  public static String approvable(String orderId) {
    return order(orderId, "c-approve", "8.50", 5);
  }

  /** Declined by the simulated gateway: 2 × 600 = 1200 > 1000. */
  public static String declinable(String orderId) {
    return order(orderId, "c-decline", "600", 2);
  }

  /** Rejected by review: 101 items > 100. */
  public static String rejectable(String orderId) {
    return order(orderId, "c-reject", "1", 101);
  }

  public static final List<String> APPROVED_EVENTS = List.of("order.created", "order.payment.debited", "order.approved");
  public static final List<String> DECLINED_EVENTS = List.of("order.created", "order.payment.declined");
  /** A rejected order is done once its payment is refunded. */
  public static final List<String> REJECTED_EVENTS =
      List.of("order.created", "order.payment.debited", "order.rejected", "order.payment.refunded");

  public static final Set<String> FINAL = Set.of("Approved", "Rejected", "Declined");

  /** Nothing more will happen to it: Approved, Declined, or Rejected and refunded. */
  public static boolean isFinished(JsonNode order) {
    String status = order.get("status").asText();
    return status.equals("Rejected") ? order.hasNonNull("refund_id") : FINAL.contains(status);
  }

  /** Waits until the read model shows the order finished ({@link #isFinished}); returns it. */
  public static JsonNode awaitFinal(String baseUrl, String orderId, Duration timeout) {
    return awaitOrder(baseUrl, orderId, timeout, "to be finished", Fixtures::isFinished);
  }

  /** Waits until the read model shows the order in {@code status}, whatever comes next; returns it. */
  public static JsonNode awaitStatus(String baseUrl, String orderId, String status, Duration timeout) {
    return awaitOrder(baseUrl, orderId, timeout, "to be " + status, o -> o.get("status").asText().equals(status));
  }

  private static JsonNode awaitOrder(String baseUrl, String orderId, Duration timeout, String what,
      java.util.function.Predicate<JsonNode> done) {
    JsonNode[] last = new JsonNode[1];
    Eventually.await(timeout, "order " + orderId + " " + what + " in the read model", () -> {
      Http.Reply r = Http.get(baseUrl + "/api/orders/" + orderId);
      if (r.status() != 200) return false;
      last[0] = r.json();
      return done.test(last[0]);
    });
    return last[0];
  }

  /** The stream's messages grouped by Aggregate-Id, each as its list of subjects in stream order. */
  public static Map<String, List<String>> subjectsByOrder(List<MessageInfo> messages) {
    return messages.stream().filter(m -> m.getHeaders() != null).collect(Collectors.groupingBy(
        m -> m.getHeaders().getFirst("Aggregate-Id"),
        Collectors.mapping(MessageInfo::getSubject, Collectors.toList())));
  }

  /** The expected subjects for an order that ended in {@code status}. */
  public static List<String> eventsFor(String status) {
    return switch (status) {
      case "Approved" -> APPROVED_EVENTS;
      case "Declined" -> DECLINED_EVENTS;
      case "Rejected" -> REJECTED_EVENTS;
      default -> throw new IllegalArgumentException(status);
    };
  }

  /** Of the orders attempted ("id=expected status"), those in the journal, answered or not. */
  public static Map<String, String> journaled(TestDatabase db, java.util.Collection<String> attempted) throws Exception {
    Map<String, String> found = new java.util.HashMap<>();
    for (String a : attempted) {
      String[] kv = a.split("=");
      if (db.count("SELECT count(*) FROM event_journal WHERE persistence_id = ?", "Order|" + kv[0]) > 0) {
        found.put(kv[0], kv[1]);
      }
    }
    return found;
  }

  /**
   * Each order reaches its expected final state with exactly its events in the journal, and the
   * stream holds each event once, in order.
   */
  public static void assertEachFinishedOnce(String baseUrl, TestDatabase db, StreamMessages nats,
      Map<String, String> expected, Duration timeout) throws Exception {
    for (var e : expected.entrySet()) {
      org.junit.jupiter.api.Assertions.assertEquals(e.getValue(),
          awaitFinal(baseUrl, e.getKey(), timeout).get("status").asText(), "final state of " + e.getKey());
      org.junit.jupiter.api.Assertions.assertEquals(eventsFor(e.getValue()).size(),
          db.count("SELECT count(*) FROM event_journal WHERE persistence_id = ?", "Order|" + e.getKey()),
          "events journaled for " + e.getKey());
    }
    List<MessageInfo> stream = nats.messages("order");
    stream.stream().filter(m -> m.getHeaders() != null)
        .collect(Collectors.groupingBy(m -> m.getHeaders().getFirst("Nats-Msg-Id"), Collectors.counting()))
        .forEach((msgId, copies) -> org.junit.jupiter.api.Assertions.assertEquals(1L, copies, "copies of " + msgId));
    Map<String, List<String>> subjects = subjectsByOrder(stream);
    for (var e : expected.entrySet()) {
      org.junit.jupiter.api.Assertions.assertEquals(eventsFor(e.getValue()), subjects.get(e.getKey()),
          "stream of " + e.getKey());
    }
  }
}
