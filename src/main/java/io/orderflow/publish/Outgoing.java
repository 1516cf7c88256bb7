package io.orderflow.publish;

import io.nats.client.impl.Headers;
import io.orderflow.eventstore.JournalEvent;
import io.orderflow.infra.Json;
import io.orderflow.order.Order;
import io.orderflow.order.OrderJson;
import java.nio.charset.StandardCharsets;

/**
 * One journaled event as it goes to JetStream: stream = aggregate type, subject = event type,
 * {@code Nats-Msg-Id} = its journal position (so that a re-publish is dropped by the stream),
 * and a body: an order event carries the order's full state after it, a generic event its data.
 */
public record Outgoing(JournalEvent event, byte[] body) {

  /** An order event with the order's state after it. */
  public static Outgoing of(JournalEvent event, Order.State after) {
    return new Outgoing(event, Json.bytes(OrderJson.of(after)));
  }

  /** A generic aggregate's event: the client's data, verbatim. */
  public static Outgoing of(JournalEvent event) {
    return new Outgoing(event, event.data().getBytes(StandardCharsets.UTF_8));
  }

  public String stream() {
    return event.jetStreamStream();
  }

  public String subject() {
    return event.eventType();
  }

  public String msgId() {
    return event.position().toString();
  }

  public Headers headers() {
    return new Headers()
        .add("Event-Id", event.eventId())
        .add("Aggregate-Id", event.aggregateId())
        .add("Aggregate-Type", event.aggregateType())
        .add("Event-Type", event.eventType())
        .add("Seq-Nr", Long.toString(event.seqNr()));
  }
}
