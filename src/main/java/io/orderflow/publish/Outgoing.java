package io.orderflow.publish;

import io.nats.client.impl.Headers;
import io.orderflow.infra.Json;
import io.orderflow.infra.NatsBroker;
import io.orderflow.order.Order;

/**
 * One journaled event as it goes to JetStream: subject = event type, headers of DESIGN.md §2,
 * {@code Nats-Msg-Id} = persistenceId:seqNr so that a re-publish is dropped by the stream.
 */
public record Outgoing(
    String stream, String subject, String persistenceId, long seqNr, String eventId,
    String aggregateId, String aggregateType, byte[] body) {

  /** An order event: the body is the order's full state after it; its id is its journal coordinate. */
  public static Outgoing of(String persistenceId, long seqNr, Order.Event event, Order.State after) {
    return new Outgoing(NatsBroker.ORDER_STREAM, event.type(), persistenceId, seqNr, persistenceId + ":" + seqNr,
        event.orderId(), NatsBroker.ORDER_STREAM, Json.bytes(after));
  }

  public String msgId() {
    return persistenceId + ":" + seqNr;
  }

  public Headers headers() {
    return new Headers()
        .add("Event-Id", eventId)
        .add("Aggregate-Id", aggregateId)
        .add("Aggregate-Type", aggregateType)
        .add("Event-Type", subject)
        .add("Seq-Nr", Long.toString(seqNr));
  }
}
