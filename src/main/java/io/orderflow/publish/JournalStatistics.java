package io.orderflow.publish;

import io.orderflow.infra.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the planner statistics of a young journal current. The publisher's eventsByTag query
 * joins event_journal and event_tag; a plan PostgreSQL makes while both are nearly empty (a scan
 * of every event_tag row for each journal row) stays cached on the pool's connections until the
 * tables are analyzed again, and autovacuum analyzes at most once a minute per database. On a
 * fresh database that made a poll take ~100 ms instead of ~1 ms, and the database did 4× the
 * work per order, for minutes (docs/PERFORMANCE.md). So: ANALYZE both tables whenever the journal
 * has doubled since the last time, until it is large enough for autovacuum's 10 % steps.
 */
final class JournalStatistics {
  private static final Logger log = LoggerFactory.getLogger(JournalStatistics.class);

  private final Database db;
  private final long adultSize;
  private long analyzedAt; // journal size at the last ANALYZE; 0: none yet
  private Cancellable task;

  private JournalStatistics(Database db, long adultSize) {
    this.db = db;
    this.adultSize = adultSize;
  }

  /** Checks every {@code interval} until the journal holds {@code adultSize} events. */
  static void start(ActorSystem<?> system, Database db, Duration interval, long adultSize) {
    JournalStatistics stats = new JournalStatistics(db, adultSize);
    stats.task = system.scheduler().scheduleWithFixedDelay(
        interval, interval, stats::check,
        system.dispatchers().lookup(DispatcherSelector.fromConfig("orderflow.jdbc-dispatcher")));
  }

  private void check() {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(true); // CockroachDB's ANALYZE (CREATE STATISTICS) refuses explicit transactions
      long size = journalSize(c);
      if (size >= adultSize) {
        log.debug("Journal holds {} events: autovacuum keeps its statistics from now on", size);
        task.cancel();
        return;
      }
      if (size >= Math.max(2 * analyzedAt, 100)) {
        try (Statement st = c.createStatement()) {
          st.execute("ANALYZE event_journal");
          st.execute("ANALYZE event_tag");
        }
        log.debug("Analyzed the journal at {} events", size);
        analyzedAt = size;
      }
    } catch (SQLException | RuntimeException e) {
      // The database may be away; the next check tries again.
      log.debug("Journal statistics not refreshed: {}", e.getMessage());
    }
  }

  /** The journal's highest ordering: as many events as it holds, read from its index. */
  private static long journalSize(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT coalesce(max(ordering), 0) FROM event_journal")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
