package io.orderflow.eventstore;

import io.orderflow.infra.Json;
import io.orderflow.order.Order;

/**
 * A journaled event as every outside reader sees it (JetStream headers, gRPC {@code Event},
 * {@code GET /api/orders/{id}/events}): the one mapping from what the journal holds.
 *
 * @param eventId an order event's id is its journal position; a generic event keeps the
 *     {@code event_id} its client gave
 * @param data the event as JSON: an order event's own fields, or a generic event's data verbatim
 */
public record JournalEvent(
    String eventId, String eventType, String aggregateType, String aggregateId, String persistenceId,
    long seqNr, long timestamp, String data) {

  /** The aggregate type (and JetStream stream) of orders. */
  public static final String ORDER = "order";

  public static JournalEvent of(String persistenceId, long seqNr, long timestamp, Object event) {
    if (event instanceof Order.Event e) {
      return new JournalEvent(new EventId(persistenceId, seqNr).toString(), e.type(), ORDER, e.orderId(),
          persistenceId, seqNr, timestamp, Json.string(e));
    }
    if (event instanceof AggregateStream.Appended a) {
      return new JournalEvent(a.eventId(), a.eventType(), a.aggregateType(), a.aggregateId(), persistenceId, seqNr,
          timestamp, a.data());
    }
    throw new IllegalArgumentException("not a journal event of orderflow: " + event.getClass().getName()
        + " in " + persistenceId);
  }

  /** The JetStream stream it belongs to: named by its aggregate type. */
  public String stream() {
    return aggregateType;
  }

  /** The journal position, which JetStream dedupes re-publishes by ({@code Nats-Msg-Id}). */
  public EventId position() {
    return new EventId(persistenceId, seqNr);
  }
}
