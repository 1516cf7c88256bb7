package io.orderflow.infra;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database answers, as of the last probe: a pooled connection validated every
 * {@code interval} on a thread of its own (never behind the requests it judges). A probe that
 * has not answered within {@code timeout} counts as down, so a hung network is noticed as soon
 * as a refused connection. A read that met the database gone marks it down before the next
 * probe ({@link #gone}). /ready, and the order routes' fail-fast 503s, use it.
 */
public final class DatabaseHealth {
  private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);

  private final DataSource dataSource;
  private final Duration timeout;
  private final ExecutorService prober;
  private volatile boolean up;
  /** System.nanoTime() when the running probe started; 0 when none runs. */
  private final AtomicLong probeStarted = new AtomicLong();

  private DatabaseHealth(DataSource dataSource, Duration timeout) {
    this.dataSource = dataSource;
    this.timeout = timeout;
    this.prober = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "database-health");
      t.setDaemon(true);
      return t;
    });
  }

  /** Probes every {@code interval} until the node stops; down until the first probe succeeds. */
  static DatabaseHealth start(ActorSystem<?> system, DataSource dataSource, Duration interval, Duration timeout) {
    DatabaseHealth health = new DatabaseHealth(dataSource, timeout);
    Cancellable ticks = system.scheduler().scheduleAtFixedRate(Duration.ZERO, interval, health::tick,
        system.executionContext());
    Shutdown.task(system, CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-database-health", () -> {
      ticks.cancel();
      health.prober.shutdownNow();
    });
    return health;
  }

  /** True while the last probe succeeded and none has been hanging for longer than the timeout. */
  public boolean isUp() {
    return up;
  }

  /**
   * A query just met the database gone ({@link Database#isGone}): down now, so that the requests
   * after it answer at once instead of each waiting for a connection, and probed at once. A
   * connection killed alone (a terminated backend, one stale socket) is up again as soon as that
   * probe gets another; in an outage the probe fails too.
   */
  public void gone(String why) {
    markDown(why);
    tick();
  }

  private void tick() {
    long started = probeStarted.get();
    if (started != 0) {
      if (System.nanoTime() - started > timeout.toNanos()) markDown("no answer within " + timeout.toMillis() + " ms");
      return; // one probe at a time: a hung one is not joined by more
    }
    if (!probeStarted.compareAndSet(0, System.nanoTime())) return; // another caller started one
    try {
      prober.execute(this::probe);
    } catch (RejectedExecutionException stopping) {
      probeStarted.set(0);
    }
  }

  private void probe() {
    try (Connection c = dataSource.getConnection()) {
      if (c.isValid((int) Math.max(1, timeout.toSeconds()))) markUp();
      else markDown("connection not valid");
    } catch (Exception e) {
      markDown(Database.rootMessage(e));
    } finally {
      probeStarted.set(0);
    }
  }

  void markUp() {
    if (!up) log.info("Database is reachable");
    up = true;
  }

  private void markDown(String why) {
    if (up) log.warn("Database is unreachable: {}", why);
    up = false;
  }
}
