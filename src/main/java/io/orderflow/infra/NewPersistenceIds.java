package io.orderflow.infra;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Persistence ids whose journal is empty by construction: a random order id this node has just
 * made up, while the ask that creates its order is under way ({@code Orders.createNew}).
 * Recovering an entity asks the journal for its highest sequence number, a query for every new
 * order; for an id marked here the journal DAO answers 0 without the query, once. The mark goes
 * when the ask completes, whatever its outcome: any later recovery asks the database.
 */
public final class NewPersistenceIds implements Extension {
  public static final Id ID = new Id();

  public static final class Id extends AbstractExtensionId<NewPersistenceIds> implements ExtensionIdProvider {
    @Override
    public NewPersistenceIds createExtension(ExtendedActorSystem system) {
      return new NewPersistenceIds();
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

  private final Set<String> ids = ConcurrentHashMap.newKeySet();
  private final AtomicLong taken = new AtomicLong();

  NewPersistenceIds() {}

  /** Marks an id no event can have been written for. */
  public void add(String persistenceId) {
    ids.add(persistenceId);
  }

  /** For a recovery: whether the id is marked new, ending the mark, so only the first one skips the query. */
  public boolean take(String persistenceId) {
    if (!ids.remove(persistenceId)) return false;
    taken.incrementAndGet();
    return true;
  }

  /** Ends the mark, if no recovery has taken it. */
  public void forget(String persistenceId) {
    ids.remove(persistenceId);
  }

  /** Recoveries that skipped the query since the node started. */
  public long taken() {
    return taken.get();
  }
}
