package io.orderflow.publish;

import io.nats.client.impl.Headers;

/**
 * One journaled event as it goes to JetStream: subject = event type, headers of DESIGN.md §2,
 * {@code Nats-Msg-Id} = persistenceId:seqNr so that a re-publish is dropped by the stream.
 */
public record Outgoing(
    String stream, String subject, String persistenceId, long seqNr, String eventId,
    String aggregateId, String aggregateType, byte[] body) {

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
