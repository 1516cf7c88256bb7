package io.orderflow.eventstore;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.orderflow.infra.Json;
import io.orderflow.order.Order;

/**
 * A journaled event as every outside reader sees it (JetStream headers, gRPC {@code Event},
 * {@code GET /api/orders/{id}/events}): the one mapping from what the journal holds.
 *
 * @param eventId the id its client gave it (gRPC CreateEvent); an order event of orderflow's own
 *     has none, and its journal position is its id
 * @param stream the label its client gave it, else its aggregate type
 * @param payload what the journal holds: an {@link Order.Event} or an {@link AggregateStream.Appended}
 */
public record JournalEvent(
    String eventId, String eventType, String aggregateType, String aggregateId, String persistenceId,
    long seqNr, long timestamp, String stream, Object payload) {

  /** The aggregate type (and JetStream stream) of orders. */
  public static final String ORDER = "order";

  public static JournalEvent of(String persistenceId, long seqNr, long timestamp, Object event) {
    if (event instanceof Order.Event e) {
      Order.Origin origin = e.origin();
      String id = origin != null ? origin.eventId() : new EventId(persistenceId, seqNr).toString();
      String stream = origin != null && !origin.stream().isEmpty() ? origin.stream() : ORDER;
      return new JournalEvent(id, e.type(), ORDER, e.orderId(), persistenceId, seqNr, timestamp, stream, e);
    }
    if (event instanceof AggregateStream.Appended a) {
      String stream = a.stream() == null || a.stream().isEmpty() ? a.aggregateType() : a.stream();
      return new JournalEvent(a.eventId(), a.eventType(), a.aggregateType(), a.aggregateId(), persistenceId, seqNr,
          timestamp, stream, a);
    }
    throw new IllegalArgumentException("not a journal event of orderflow: " + event.getClass().getName()
        + " in " + persistenceId);
  }

  /** Order events as JSON without their origin: it is shown as the event's id and stream. */
  @JsonIgnoreProperties("origin")
  private interface WithoutOrigin {}

  private static final ObjectWriter ORDER_EVENT =
      Json.MAPPER.copy().addMixIn(Order.Event.class, WithoutOrigin.class).writer();

  /** The event as JSON: an order event's own fields, a generic event's data verbatim. */
  public String data() {
    if (payload instanceof AggregateStream.Appended a) return a.data();
    try {
      return ORDER_EVENT.writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON for " + payload.getClass().getSimpleName(), e);
    }
  }

  /** The JetStream stream it is published to: named by its aggregate type, whatever its label. */
  public String jetStreamStream() {
    return aggregateType;
  }

  /** The journal position, which JetStream dedupes re-publishes by ({@code Nats-Msg-Id}). */
  public EventId position() {
    return new EventId(persistenceId, seqNr);
  }
}
