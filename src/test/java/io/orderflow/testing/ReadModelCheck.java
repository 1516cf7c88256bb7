package io.orderflow.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.orderflow.order.Order;
import io.orderflow.order.OrderItem;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;

/** The read model must be exactly what a replay of the journal gives. */
public final class ReadModelCheck {
  private ReadModelCheck() {}

  record Row(String status, BigDecimal amount, String currency, String paymentId, String reason, String refundId,
      long lastSeq, List<OrderItem> items) {}

  public static void assertReadModelEqualsJournalReplay(ActorSystem<?> system, TestDatabase db) throws Exception {
    JdbcReadJournal journal =
        PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    List<String> pids = journal.currentPersistenceIds()
        .filter(p -> p.startsWith("Order|"))
        .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), system).toCompletableFuture().get();
    long rows = db.count("SELECT count(*) FROM orders");
    assertEquals(pids.size(), rows, "one read-model row per order in the journal");
    for (String pid : pids) {
      String id = pid.substring("Order|".length());
      long[] lastSeq = {0};
      Order.State state = journal.currentEventsByPersistenceId(pid, 0, Long.MAX_VALUE)
          .runFold(Order.State.empty(id), (s, env) -> {
            lastSeq[0] = env.sequenceNr();
            return s.apply((Order.Event) env.event());
          }, system).toCompletableFuture().get();
      var r = db.rows("SELECT status, amount, currency, payment_id, reason, refund_id, last_event_seq"
          + " FROM orders WHERE order_id = ?", id);
      assertEquals(1, r.size(), "read model row of " + id);
      var row = r.get(0);
      List<OrderItem> items = new ArrayList<>();
      for (var i : db.rows("SELECT code, name, unit_price, quantity FROM order_items WHERE order_id = ? ORDER BY line_no", id)) {
        items.add(new OrderItem((String) i.get(0), (String) i.get(1), (BigDecimal) i.get(2), (Integer) i.get(3)));
      }
      Row actual = new Row((String) row.get(0), (BigDecimal) row.get(1), (String) row.get(2), (String) row.get(3),
          (String) row.get(4), (String) row.get(5), ((Number) row.get(6)).longValue(), items);
      Row expected = new Row(state.status().name(), state.amount(), state.currency(), state.paymentId(),
          state.reason(), state.refundId(), lastSeq[0], state.orderItems());
      assertEquals(expected, actual, "read model of order " + id);
    }
  }

  /**
   * The same check for nodes in other processes: the journal is read through
   * GET /api/orders/{id}/events and replayed here.
   */
  public static void assertReadModelEqualsEventsEndpoint(String baseUrl, TestDatabase db, java.util.Collection<String> ids)
      throws Exception {
    for (String id : ids) {
      com.fasterxml.jackson.databind.JsonNode events = Http.get(baseUrl + "/api/orders/" + id + "/events").json().get("events");
      String status = null;
      String paymentId = null;
      String reason = null;
      String refundId = null;
      String currency = null;
      BigDecimal amount = null;
      long lastSeq = 0;
      for (var e : events) {
        var data = e.get("data");
        lastSeq = e.get("seq_nr").asLong();
        switch (e.get("event_type").asText()) {
          case "order.created" -> {
            status = "Pending";
            amount = data.get("amount").decimalValue().setScale(2);
            currency = data.get("currency").asText();
          }
          case "order.payment.debited" -> {
            status = "Paid";
            paymentId = data.get("payment_id").asText();
          }
          case "order.payment.declined" -> {
            status = "Declined";
            reason = data.get("reason").asText();
          }
          case "order.approved" -> status = "Approved";
          case "order.rejected" -> {
            status = "Rejected";
            reason = data.get("reason").asText();
          }
          case "order.payment.refunded" -> refundId = data.get("refund_id").asText();
          default -> throw new AssertionError("unknown event " + e);
        }
      }
      var r = db.rows("SELECT status, amount, currency, payment_id, reason, refund_id, last_event_seq"
          + " FROM orders WHERE order_id = ?", id);
      assertEquals(1, r.size(), "read model row of " + id);
      var row = r.get(0);
      assertEquals(List.of(status, amount, currency, String.valueOf(paymentId), String.valueOf(reason),
              String.valueOf(refundId), lastSeq),
          List.of(row.get(0), row.get(1), row.get(2), String.valueOf(row.get(3)), String.valueOf(row.get(4)),
              String.valueOf(row.get(5)), ((Number) row.get(6)).longValue()), "read model of order " + id);
    }
  }
}
