package io.orderflow.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.query.scaladsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.stream.javadsl.Source;

/**
 * How far this node's journal is complete: the highest ordering below which no event can still
 * appear (a transaction that took an ordering and has not committed leaves a gap until it does or
 * is given up). The read journal's gap detector finds it once a {@code query-delay} for the whole
 * node, through {@link HeadTrackingReadJournalDao}; the publisher's slices wait here for it to move
 * instead of each polling on a timer of its own. An idle journal wakes nobody.
 */
public final class JournalHead implements Extension {
  static final ExtensionId<JournalHead> ID = new ExtensionId<>() {
    @Override
    public JournalHead createExtension(ActorSystem<?> system) {
      return new JournalHead();
    }
  };

  public static JournalHead get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /**
   * Starts the read journal and its gap detector, which moves the head. The plugin starts the gap
   * detector with its first live {@code eventsByTag} only, and orderflow runs none.
   */
  public static JournalHead start(ActorSystem<?> system) {
    JdbcReadJournal journal = PersistenceQuery.get(system).readJournalFor(JdbcReadJournal.Identifier());
    journal.journalSequenceActor();
    return get(system);
  }

  private record Waiter(long after, CompletableFuture<Long> moved) {}

  private long head;
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile HeadTrackingReadJournalDao dao;

  JournalHead() {}

  void attach(HeadTrackingReadJournalDao dao) {
    this.dao = dao;
  }

  /** Every ordering up to {@code ordering} is final. */
  void advance(long ordering) {
    List<Waiter> due = new ArrayList<>();
    synchronized (this) {
      if (ordering <= head) return;
      head = ordering;
      waiters.removeIf(w -> w.after < ordering && due.add(w));
    }
    due.forEach(w -> w.moved.complete(ordering));
  }

  /** Completes with the head once it is beyond {@code ordering}: at once if it already is. */
  public synchronized CompletionStage<Long> after(long ordering) {
    if (head > ordering) return CompletableFuture.completedFuture(head);
    Waiter w = new Waiter(ordering, new CompletableFuture<>());
    waiters.add(w);
    return w.moved;
  }

  /**
   * The events of {@code tag} with {@code after < ordering <= upTo}, in ordering, at most {@code
   * limit}; {@code upTo} must not be beyond the head. A stored event that cannot be read fails the
   * source, as the read journal's own queries do.
   */
  public Source<EventEnvelope<Object>, NotUsed> eventsByTag(String tag, long after, long upTo, int limit) {
    HeadTrackingReadJournalDao reader = dao;
    if (reader == null) {
      throw new IllegalStateException("the read journal is not running with " + HeadTrackingReadJournalDao.class.getName()
          + " (jdbc-read-journal.dao): nothing tells the publisher how far the journal is complete");
    }
    return reader.eventsByTag(tag, after, upTo, limit).asJava().map(row -> {
      PersistentRepr repr = row.get()._1();
      return EventEnvelope.create(Offset.sequence((Long) row.get()._3()), repr.persistenceId(), repr.sequenceNr(),
          repr.payload(), repr.timestamp());
    });
  }
}
