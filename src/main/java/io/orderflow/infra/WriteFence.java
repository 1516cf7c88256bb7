package io.orderflow.infra;

import com.typesafe.config.Config;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.remote.ThisActorSystemQuarantinedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a node's database writes for good once it may no longer own what it writes: after it was
 * frozen (a GC pause, SIGSTOP, a suspended container or machine) for longer than the threshold,
 * or once the cluster downed or quarantined it. Every connection of the node's one pool is
 * {@link #wrap wrapped}: it refuses to create statements and to commit once the node is fenced,
 * and a fenced node leaves (coordinated shutdown; halted if that does not end the JVM in time).
 *
 * <p>A watchdog thread ticks every {@code tick}; the check before each statement and commit reads
 * the last tick and compares it with both clocks, so the first write after a thaw is refused even
 * before the watchdog runs again. Why the threshold makes a second writer impossible, and what is
 * left: cluster.conf, next to orderflow.cluster.freeze-fence, and docs/CLUSTER.md.
 */
public final class WriteFence implements Extension {
  private static final Logger log = LoggerFactory.getLogger(WriteFence.class);

  /** The reason a fenced node gives its coordinated shutdown (its exit code is in cluster.conf). */
  public static final class Fenced implements CoordinatedShutdown.Reason {
    static final Fenced INSTANCE = new Fenced();

    private Fenced() {}

    @Override
    public String toString() {
      return "WriteFence$Fenced";
    }
  }

  /** A refused statement or commit. */
  public static final class FencedException extends SQLNonTransientConnectionException {
    FencedException(String why) {
      super("this node no longer writes to the database: " + why, "08006");
    }
  }

  /** The exit status of a node that left because it was fenced (also in cluster.conf's reason-overrides). */
  public static final int EXIT_CODE = 75;

  public static final Id ID = new Id();

  public static final class Id extends AbstractExtensionId<WriteFence> implements ExtensionIdProvider {
    @Override
    public WriteFence createExtension(ExtendedActorSystem system) {
      return new WriteFence(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

  public static WriteFence get(ActorSystem system) {
    return ID.get(system);
  }

  public static WriteFence get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return ID.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
  }

  private final ActorSystem system;
  private final long thresholdNanos;
  private final long thresholdMillis;
  private final long tickMillis;
  private final Duration haltAfter;
  /** Both clocks at the watchdog's last tick: the monotonic one, and the wall clock, which also runs while the machine is suspended. */
  private volatile long lastTickNanos;
  private volatile long lastTickMillis;
  /** Written before lastTickNanos (see check), never reset. */
  private volatile String fencedBecause;

  private WriteFence(ExtendedActorSystem system) {
    this.system = system;
    Config c = system.settings().config().getConfig("orderflow.cluster.freeze-fence");
    Duration threshold = c.getDuration("threshold");
    this.thresholdNanos = threshold.toNanos();
    this.thresholdMillis = threshold.toMillis();
    this.tickMillis = c.getDuration("tick").toMillis();
    this.haltAfter = c.getDuration("halt-after");
    this.lastTickNanos = System.nanoTime();
    this.lastTickMillis = System.currentTimeMillis();
    Thread watchdog = new Thread(this::watch, "write-fence-watchdog");
    watchdog.setDaemon(true);
    watchdog.setPriority(Thread.MAX_PRIORITY);
    watchdog.start();
    system.registerOnTermination(watchdog::interrupt);
    system.systemActorOf(Props.create(ClusterWatch.class, () -> new ClusterWatch(this)), "write-fence");
    log.info("Write fence on: database writes stop for good after a freeze longer than {} ms, or once downed",
        thresholdMillis);
  }

  /**
   * Throws once the node is fenced, or when it has been unresponsive for longer than the
   * threshold (then fences it). On every statement and commit: three volatile reads and two clock reads.
   */
  public void check() throws FencedException {
    // lastTick first: the watchdog writes fencedBecause before it moves lastTick past a freeze.
    long nanos = lastTickNanos;
    long millis = lastTickMillis;
    String because = fencedBecause;
    if (because != null) throw new FencedException(because);
    long frozenNanos = System.nanoTime() - nanos;
    long frozenMillis = System.currentTimeMillis() - millis;
    if (frozenNanos > thresholdNanos || frozenMillis > thresholdMillis) {
      String why = frozen(Math.max(frozenNanos / 1_000_000, frozenMillis));
      fence(why);
      throw new FencedException(why);
    }
  }

  /** Whether the node is fenced. */
  public boolean fenced() {
    return fencedBecause != null;
  }

  private String frozen(long millis) {
    return "the node was unresponsive for " + millis + " ms (more than " + thresholdMillis
        + " ms): the cluster may have downed it and handed its orders to another node";
  }

  private void watch() {
    while (true) {
      try {
        Thread.sleep(tickMillis);
      } catch (InterruptedException e) {
        return;
      }
      long nanos = System.nanoTime();
      long millis = System.currentTimeMillis();
      long gap = Math.max((nanos - lastTickNanos) / 1_000_000, millis - lastTickMillis);
      if (gap > thresholdMillis) {
        fence(frozen(gap));
      } else if (gap > thresholdMillis / 2) {
        log.warn("Write fence: the node stalled for {} ms; at {} ms it would stop writing and leave", gap,
            thresholdMillis);
      }
      lastTickMillis = millis;
      lastTickNanos = nanos;
    }
  }

  /** Fences the node for good and makes it leave; the first reason is the one kept. */
  void fence(String why) {
    synchronized (this) {
      if (fencedBecause != null) return;
      fencedBecause = why;
    }
    log.error("Write fence: {}. Refusing every database write from now on; the node leaves", why);
    CoordinatedShutdown.get(system).run(Fenced.INSTANCE);
    if (system.settings().config().getBoolean("pekko.coordinated-shutdown.exit-jvm")) {
      Thread halt = new Thread(() -> {
        try {
          Thread.sleep(haltAfter.toMillis());
        } catch (InterruptedException e) {
          return;
        }
        log.error("Write fence: coordinated shutdown did not end the node within {} s; halting", haltAfter.toSeconds());
        Runtime.getRuntime().halt(EXIT_CODE);
      }, "write-fence-halt");
      halt.setDaemon(true);
      halt.start();
    }
  }

  /** {@code connection}, refusing statements and commits once the node is fenced. */
  public Connection wrap(Connection connection) {
    return (Connection) Proxy.newProxyInstance(WriteFence.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "createStatement", "prepareStatement", "prepareCall" -> check();
            case "commit" -> checkOrRollback(connection);
            // switching auto-commit on commits the transaction in progress
            case "setAutoCommit" -> {
              if ((Boolean) args[0] && !connection.getAutoCommit()) checkOrRollback(connection);
            }
            case "unwrap" -> {
              if (((Class<?>) args[0]).isInstance(proxy)) return proxy;
            }
            case "isWrapperFor" -> {
              if (((Class<?>) args[0]).isInstance(proxy)) return true;
            }
            case "equals" -> {
              return proxy == args[0];
            }
            case "hashCode" -> {
              return System.identityHashCode(proxy);
            }
            default -> { }
          }
          try {
            return method.invoke(connection, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** A refused commit rolls the transaction back, so that nothing of it can be committed later. */
  private void checkOrRollback(Connection connection) throws SQLException {
    try {
      check();
    } catch (FencedException e) {
      try {
        connection.rollback();
      } catch (SQLException rollbackFailed) {
        e.addSuppressed(rollbackFailed);
      }
      throw e;
    }
  }

  /** Fences the node when the cluster downs it, or when it learns that the others quarantined it. */
  static final class ClusterWatch extends AbstractActor {
    private final WriteFence fence;
    private final Cluster cluster = Cluster.get(getContext().getSystem());

    ClusterWatch(WriteFence fence) {
      this.fence = fence;
    }

    @Override
    public void preStart() {
      cluster.subscribe(getSelf(), ClusterEvent.initialStateAsEvents(), ClusterEvent.MemberDowned.class,
          ClusterEvent.MemberRemoved.class);
      getContext().getSystem().getEventStream().subscribe(getSelf(), ThisActorSystemQuarantinedEvent.class);
    }

    @Override
    public void postStop() {
      cluster.unsubscribe(getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(ClusterEvent.MemberDowned.class, e -> {
            if (e.member().uniqueAddress().equals(cluster.selfUniqueAddress())) {
              fence.fence("the cluster downed this node");
            }
          })
          .match(ClusterEvent.MemberRemoved.class, e -> {
            // removed after Down (not after a graceful leave, which hands its shards over first)
            if (e.member().uniqueAddress().equals(cluster.selfUniqueAddress())
                && e.previousStatus() == MemberStatus.down()) {
              fence.fence("the cluster removed this node after downing it");
            }
          })
          .match(ThisActorSystemQuarantinedEvent.class, e -> fence.fence(
              "the node at " + e.remoteAddress() + " quarantined this node (it was removed from the cluster)"))
          .build();
    }
  }
}
