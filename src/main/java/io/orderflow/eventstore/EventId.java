package io.orderflow.eventstore;

import java.util.Optional;

/**
 * Where an event sits in the journal, {@code persistenceId:seqNr} (e.g. {@code Order|o-42:3}):
 * the id of every order event on JetStream ({@code Nats-Msg-Id}, {@code Event-Id}) and in gRPC,
 * so a re-publish is recognised as the same event.
 */
public record EventId(String persistenceId, long seqNr) {
  @Override
  public String toString() {
    return persistenceId + ":" + seqNr;
  }

  /** The journal position an id names, if it is one ({@code seqNr} a positive long). */
  public static Optional<EventId> parse(String id) {
    int colon = id.lastIndexOf(':');
    if (colon <= 0 || colon == id.length() - 1 || id.length() - colon > 19) return Optional.empty();
    for (int i = colon + 1; i < id.length(); i++) {
      if (!Character.isDigit(id.charAt(i))) return Optional.empty();
    }
    long seq = Long.parseLong(id.substring(colon + 1));
    return seq < 1 ? Optional.empty() : Optional.of(new EventId(id.substring(0, colon), seq));
  }
}
