package io.orderflow.infra;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableColumnNames;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.EventTagTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;
import slick.dbio.DBIOAction;
import slick.dbio.NoStream;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * pekko-persistence-jdbc's journal DAO with two changes to how a batch of events is written, and
 * one to recovery.
 *
 * <p><b>One statement per event.</b> The plugin inserts each event row, reads its {@code ordering}
 * back, then inserts the tag rows, inside an explicit transaction: for the single event an order's
 * command usually persists, three round trips (insert, tags, commit). Here one statement does both,
 * {@code WITH e AS (INSERT INTO event_journal … RETURNING ordering) INSERT INTO event_tag SELECT
 * ordering, unnest(tags) FROM e}: a lone event takes two round trips (the statement, which
 * carries the transaction's start, and the commit). A batch of several events is one transaction,
 * its statements sent as one JDBC batch. Every write is an explicit transaction, so that the write
 * fence's check of each commit covers it. The rows are the plugin's own (its serialization), so
 * reading them is unchanged.
 *
 * <p><b>Retry on 40001,</b> as CockroachDB asks its clients: a batch whose transaction failed with
 * a serialization failure (rolled back, nothing of it written) is written again after a short
 * backoff. The plugin alone would fail every persist of the batch at once, and ten such failures
 * open its circuit breaker for every order. On PostgreSQL this happens under SERIALIZABLE
 * (event_tag's foreign key check and the journal's insert conflict as a pivot: docs/CLUSTER.md). A
 * failed attempt used up its sequence values: the read journal waits that gap in ordering out
 * (persistence.conf, journal-sequence-retrieval) as it does for any failed journal transaction.
 *
 * <p><b>No query for a new id.</b> Recovery asks for the highest sequence number of every entity
 * it starts; for an id this node has just made up ({@link NewPersistenceIds}) it is 0 without
 * asking the database.
 *
 * <p>Set as jdbc-journal.dao; the plugin finds the constructor by these parameter types.
 */
public final class SingleStatementJournalDao extends DefaultJournalDao {
  private static final Logger log = LoggerFactory.getLogger(SingleStatementJournalDao.class);
  /** Attempts per batch; the backoff between them adds up to about 1.5 s, inside the journal's call-timeout. */
  static final int MAX_ATTEMPTS = 8;

  private final String insert;
  private final NewPersistenceIds newIds;

  public SingleStatementJournalDao(JdbcBackend.JdbcDatabaseDef db, JdbcProfile profile, JournalConfig journalConfig,
      Serialization serialization, ExecutionContext ec, Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.insert = insertStatement(journalConfig.eventJournalTableConfiguration(),
        journalConfig.eventTagTableConfiguration());
    this.newIds = NewPersistenceIds.get(serialization.system());
  }

  @Override
  public Future<Object> highestSequenceNr(String persistenceId, long fromSequenceNr) {
    if (newIds.take(persistenceId)) return Future.successful(0L);
    return super.highestSequenceNr(persistenceId, fromSequenceNr);
  }

  /** The one statement that writes an event row and its tag rows (the configured table and column names). */
  static String insertStatement(EventJournalTableConfiguration journal, EventTagTableConfiguration tags) {
    EventJournalTableColumnNames c = journal.columnNames();
    List<String> columns = List.of(c.deleted(), c.persistenceId(), c.sequenceNumber(), c.writer(),
        c.writeTimestamp(), c.adapterManifest(), c.eventPayload(), c.eventSerId(), c.eventSerManifest(),
        c.metaPayload(), c.metaSerId(), c.metaSerManifest());
    return "WITH e AS (INSERT INTO " + table(journal.schemaName(), journal.tableName()) + " ("
        + String.join(", ", columns.stream().map(SingleStatementJournalDao::quote).toList()) + ") VALUES ("
        + String.join(", ", columns.stream().map(x -> "?").toList()) + ") RETURNING " + quote(c.ordering()) + ") "
        + "INSERT INTO " + table(tags.schemaName(), tags.tableName()) + " (" + quote(tags.columnNames().eventId())
        + ", " + quote(tags.columnNames().tag()) + ") SELECT " + quote(c.ordering()) + ", unnest(?::varchar[]) FROM e";
  }

  private static String table(Option<String> schema, String name) {
    return schema.isDefined() ? quote(schema.get()) + "." + quote(name) : quote(name);
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public Future<BoxedUnit> writeJournalRows(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    List<Tuple2<JournalPekkoSerializationRow, Set<String>>> sorted = new ArrayList<>(CollectionConverters.asJava(rows));
    sorted.sort(Comparator.comparingLong(r -> r._1().sequenceNumber()));
    CompletableFuture<BoxedUnit> written = new CompletableFuture<>();
    attempt(sorted, 1, Backoff.of(Duration.ofMillis(10), Duration.ofMillis(500)), written);
    return FutureConverters.asScala(written);
  }

  private void attempt(List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows, int n, Backoff backoff,
      CompletableFuture<BoxedUnit> written) {
    FutureConverters.asJava(write(rows)).whenComplete((done, err) -> {
      if (err == null) {
        written.complete(BoxedUnit.UNIT);
      } else if (n < MAX_ATTEMPTS && Database.isSerializationFailure(err)) {
        log.debug("Journal write of {} rows: serialization failure, retrying (attempt {})", rows.size(), n + 1);
        CompletableFuture.delayedExecutor(backoff.next().toMillis(), TimeUnit.MILLISECONDS)
            .execute(() -> attempt(rows, n + 1, backoff, written));
      } else {
        written.completeExceptionally(err);
      }
    });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<BoxedUnit> write(List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    SimpleJdbcAction<BoxedUnit> action = SimpleJdbcAction.apply(ctx -> {
      try {
        insert(ctx.connection(), rows);
      } catch (SQLException e) {
        throw new RuntimeException(e);
      }
      return BoxedUnit.UNIT;
    });
    return db().run((DBIOAction) action);
  }

  private void insert(Connection connection, List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows)
      throws SQLException {
    // Always an explicit transaction, even for one statement: the write fence checks every commit,
    // and an auto-commit statement frozen between the fence's check and its send would land after
    // a thaw (cluster.conf, orderflow.cluster.freeze-fence).
    Database.transaction(connection, c -> {
      try (PreparedStatement statement = c.prepareStatement(insert)) {
        for (var row : rows) {
          bind(statement, row);
          statement.addBatch();
        }
        return statement.executeBatch();
      }
    });
  }

  private static void bind(PreparedStatement s, Tuple2<JournalPekkoSerializationRow, Set<String>> rowAndTags)
      throws SQLException {
    JournalPekkoSerializationRow row = rowAndTags._1();
    s.setBoolean(1, row.deleted());
    s.setString(2, row.persistenceId());
    s.setLong(3, row.sequenceNumber());
    s.setString(4, row.writer());
    s.setLong(5, row.writeTimestamp());
    s.setString(6, row.adapterManifest());
    s.setBytes(7, row.eventPayload());
    s.setInt(8, row.eventSerId());
    s.setString(9, row.eventSerManifest());
    if (row.metaPayload().isDefined()) {
      s.setBytes(10, row.metaPayload().get());
      s.setInt(11, (Integer) row.metaSerId().get());
      s.setString(12, row.metaSerManifest().get());
    } else {
      s.setNull(10, Types.BINARY);
      s.setNull(11, Types.INTEGER);
      s.setNull(12, Types.VARCHAR);
    }
    s.setArray(13, s.getConnection().createArrayOf("varchar",
        CollectionConverters.asJava(rowAndTags._2()).toArray(new String[0])));
  }
}
