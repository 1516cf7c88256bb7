package io.orderflow.publish;

import io.orderflow.order.Order;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;

/**
 * The state of each order after a given event, for event-carried state in the messages.
 * Events of one order arrive in sequence within a tag slice, so the state is usually derived
 * from the previous one in memory; after a restart or an eviction it is replayed from the journal.
 */
public final class OrderStates {
  /** Replays an order's events 1..toSeqNr from the journal. */
  @FunctionalInterface
  public interface Replay {
    CompletionStage<Order.State> upTo(String persistenceId, String orderId, long toSeqNr);
  }

  private record Entry(long seqNr, Order.State state) {}

  private final Replay replay;
  private final Map<String, Entry> cache;

  public OrderStates(Replay replay, int capacity) {
    this.replay = replay;
    this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Replays from the node's read journal. */
  public static Replay fromJournal(ActorSystem<?> system) {
    JdbcReadJournal journal =
        PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return (persistenceId, orderId, toSeqNr) -> journal.currentEventsByPersistenceId(persistenceId, 1, toSeqNr)
        .runFold(Order.State.empty(orderId), (s, env) -> s.apply((Order.Event) env.event()), system);
  }

  /** The order's state after event {@code seqNr}, which is {@code event}. */
  CompletionStage<Order.State> after(String persistenceId, long seqNr, Order.Event event) {
    Entry previous = cache.get(persistenceId);
    if (seqNr == 1) {
      return CompletableFuture.completedFuture(remember(persistenceId, seqNr,
          Order.State.empty(event.orderId()).apply(event)));
    }
    if (previous != null && previous.seqNr() == seqNr - 1) {
      return CompletableFuture.completedFuture(remember(persistenceId, seqNr, previous.state().apply(event)));
    }
    return replay.upTo(persistenceId, event.orderId(), seqNr).thenApply(s -> remember(persistenceId, seqNr, s));
  }

  private Order.State remember(String persistenceId, long seqNr, Order.State state) {
    cache.put(persistenceId, new Entry(seqNr, state));
    return state;
  }
}
