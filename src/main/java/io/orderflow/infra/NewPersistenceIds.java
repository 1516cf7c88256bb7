package io.orderflow.infra;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Persistence ids this node has just made up (a random order id), so their journal is empty by
 * construction. Recovering an entity asks the journal for its highest sequence number, a query
 * for every new order; for an id marked here the journal DAO answers 0 without the query, once.
 *
 * <p>A mark counts only until its deadline, the time the create's ask may take: an entity that
 * started on another node (a cluster) may have journaled the order by then, and if its shard
 * later moved here, a late first recovery must not trust the mark. Bounded: an id never
 * recovered here is forgotten after {@link #CAPACITY} newer ones. An id forgotten or past its
 * deadline is recovered by the query, as without the mark.
 */
public final class NewPersistenceIds implements Extension {
  static final int CAPACITY = 10_000;

  public static final Id ID = new Id();

  public static final class Id extends AbstractExtensionId<NewPersistenceIds> implements ExtensionIdProvider {
    @Override
    public NewPersistenceIds createExtension(ExtendedActorSystem system) {
      return new NewPersistenceIds(CAPACITY);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

  public static NewPersistenceIds get(ActorSystem system) {
    return ID.get(system);
  }

  public static NewPersistenceIds get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return ID.get(Adapter.toClassic(system));
  }

  /** Per marked id, the System.nanoTime() after which the mark no longer counts. */
  private final Map<String, Long> deadlines;

  NewPersistenceIds(int capacity) {
    this.deadlines = new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Marks an id no event can have been written for (one this node generated at random), for a while. */
  public synchronized void add(String persistenceId, Duration validFor) {
    deadlines.put(persistenceId, System.nanoTime() + validFor.toNanos());
  }

  /** Whether the id is marked new; the mark is used up, so only the first recovery skips the query. */
  public synchronized boolean take(String persistenceId) {
    Long deadline = deadlines.remove(persistenceId);
    return deadline != null && System.nanoTime() - deadline < 0;
  }
}
