package io.orderflow.infra;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * pekko-persistence-jdbc's journal DAO with the retry CockroachDB asks its clients for: a batch of
 * journal rows whose transaction failed with a serialization failure (SQLSTATE 40001: rolled
 * back, nothing of it written) is written again after a short backoff, the same rows in a new
 * transaction. The plugin alone would fail every persist of the batch at once, and ten such
 * failures open its circuit breaker for every order. On PostgreSQL this happens under SERIALIZABLE
 * (event_tag's foreign key check and the journal's insert conflict as a pivot: docs/CLUSTER.md).
 * A failed attempt used up its sequence values: the read journal waits that gap in ordering out
 * (persistence.conf, journal-sequence-retrieval) as it does for any failed journal transaction.
 * Set as jdbc-journal.dao; the plugin finds the constructor by these parameter types.
 */
public final class RetryingJournalDao extends DefaultJournalDao {
  private static final Logger log = LoggerFactory.getLogger(RetryingJournalDao.class);
  /** Attempts per batch; the backoff between them adds up to about 1.5 s, inside the journal's call-timeout. */
  static final int MAX_ATTEMPTS = 8;

  public RetryingJournalDao(JdbcBackend.JdbcDatabaseDef db, JdbcProfile profile, JournalConfig journalConfig,
      Serialization serialization, ExecutionContext ec, Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
  }

  @Override
  public Future<BoxedUnit> writeJournalRows(
      Seq<Tuple2<JournalTables.JournalPekkoSerializationRow, Set<String>>> rows) {
    CompletableFuture<BoxedUnit> written = new CompletableFuture<>();
    attempt(rows, 1, Backoff.of(Duration.ofMillis(10), Duration.ofMillis(500)), written);
    return FutureConverters.asScala(written);
  }

  private void attempt(Seq<Tuple2<JournalTables.JournalPekkoSerializationRow, Set<String>>> rows, int n,
      Backoff backoff, CompletableFuture<BoxedUnit> written) {
    FutureConverters.asJava(super.writeJournalRows(rows)).whenComplete((done, err) -> {
      if (err == null) {
        written.complete(done);
      } else if (n < MAX_ATTEMPTS && Database.isSerializationFailure(err)) {
        log.debug("Journal write of {} rows: serialization failure, retrying (attempt {})", rows.size(), n + 1);
        CompletableFuture.delayedExecutor(backoff.next().toMillis(), TimeUnit.MILLISECONDS)
            .execute(() -> attempt(rows, n + 1, backoff, written));
      } else {
        written.completeExceptionally(err);
      }
    });
  }
}
