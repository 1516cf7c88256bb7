package io.orderflow.publish;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Order events this node's fast path has already seen acknowledged by the stream, so that the
 * projection on this node need not publish them a second time (the stream would drop the copy by
 * its Nats-Msg-Id anyway: this only saves the work). Bounded; what it forgot, or what another node
 * published, the projection publishes as before.
 */
final class StoredEvents implements Extension {
  static final ExtensionId<StoredEvents> ID = new ExtensionId<>() {
    @Override
    public StoredEvents createExtension(ActorSystem<?> system) {
      return new StoredEvents(50_000);
    }
  };

  static StoredEvents get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Per persistence id, bit n-1 set: event n is in the stream. Orders have a handful of events. */
  private final Map<String, Long> stored;

  StoredEvents(int capacity) {
    this.stored = new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized void add(String persistenceId, long seqNr) {
    if (seqNr >= 1 && seqNr <= 64) stored.merge(persistenceId, 1L << (seqNr - 1), (a, b) -> a | b);
  }

  synchronized boolean contains(String persistenceId, long seqNr) {
    Long bits = stored.get(persistenceId);
    return bits != null && seqNr >= 1 && seqNr <= 64 && (bits & (1L << (seqNr - 1))) != 0;
  }
}
