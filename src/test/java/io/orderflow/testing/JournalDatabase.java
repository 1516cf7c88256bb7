package io.orderflow.testing;

import com.typesafe.config.ConfigFactory;
import io.orderflow.infra.HeadTrackingReadJournalDao;
import io.orderflow.infra.SingleStatementJournalDao;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.config.ReadJournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.stream.Materializer;
import org.postgresql.ds.PGSimpleDataSource;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import slick.jdbc.JdbcBackend$;
import slick.jdbc.JdbcBackend;
import slick.jdbc.PostgresProfile$;
import slick.util.AsyncExecutor$;

/**
 * A fresh database with orderflow's schema, reached through Slick as the journal's DAOs reach it,
 * on connections that count the commits and the statements they prepare; and a local actor system
 * for the DAOs' serialization and streams.
 */
public final class JournalDatabase implements AutoCloseable {
  public final TestDatabase db;
  public final ActorTestKit testKit;
  public final Serialization serialization;
  public final JdbcBackend.JdbcDatabaseDef slick;
  public final AtomicInteger commits = new AtomicInteger();
  public final AtomicInteger statements = new AtomicInteger();
  private SingleStatementJournalDao journalDao;

  public JournalDatabase() throws Exception {
    db = TestDatabase.create();
    ActorTestKit kit = null;
    try {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute(new String(JournalDatabase.class.getResourceAsStream("/db/schema.sql").readAllBytes(),
            StandardCharsets.UTF_8));
      }
      kit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local")
          .withFallback(ConfigFactory.defaultReference()));
      serialization = SerializationExtension.get(kit.system());
      slick = JdbcBackend$.MODULE$.Database().forDataSource(counting(db.url), Option.apply(2),
          AsyncExecutor$.MODULE$.apply("journal-test", 2, 2, 100, 2), false);
    } catch (Exception | Error e) {
      if (kit != null) kit.shutdownTestKit();
      db.close();
      throw e;
    }
    testKit = kit;
  }

  /**
   * Connections to {@code url} that count their commits (the write fence gates commits, so every
   * journal write must have one) and the statements they prepare.
   */
  private PGSimpleDataSource counting(String url) {
    PGSimpleDataSource counting = new PGSimpleDataSource() {
      @Override
      public Connection getConnection() throws SQLException {
        Connection c = super.getConnection();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("commit")) commits.incrementAndGet();
              if (method.getName().startsWith("prepare")) statements.incrementAndGet();
              try {
                return method.invoke(c, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
      }
    };
    counting.setURL(url);
    counting.setUser("postgres");
    return counting;
  }

  public ExecutionContext ec() {
    return testKit.system().executionContext();
  }

  public Materializer mat() {
    return Materializer.matFromSystem(testKit.system());
  }

  /**
   * The journal's DAO as the node runs it (reference settings), on this database: one for the
   * database, as the node has one (each runs a write stream for as long as the test kit).
   */
  public synchronized SingleStatementJournalDao journalDao() {
    if (journalDao == null) {
      journalDao = new SingleStatementJournalDao(slick, PostgresProfile$.MODULE$,
          new JournalConfig(ConfigFactory.defaultReference().getConfig("jdbc-journal")), serialization, ec(), mat());
    }
    return journalDao;
  }

  /** The read journal's DAO as the node runs it, on this database: it moves the test kit's JournalHead. */
  public HeadTrackingReadJournalDao readJournalDao() {
    return new HeadTrackingReadJournalDao(slick, PostgresProfile$.MODULE$,
        new ReadJournalConfig(ConfigFactory.defaultReference().getConfig("jdbc-read-journal")), serialization, ec(), mat());
  }

  /** Journals one event with one tag through the journal's DAO, as the node does, and waits for it. */
  public void append(String pid, long seqNr, String payload, String tag) throws Exception {
    var rows = List.of(tagged(row(pid, seqNr, payload), tag));
    FutureConverters.asJava(journalDao().writeJournalRows(CollectionConverters.asScala(rows).toList()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A journal row as the plugin makes it, its payload a string. */
  public JournalPekkoSerializationRow row(String pid, long seqNr, String payload) {
    var serializer = serialization.findSerializerFor(payload);
    return new JournalPekkoSerializationRow(Long.MIN_VALUE, false, pid, seqNr, "writer-1", System.currentTimeMillis(),
        "", serializer.toBinary(payload), serializer.identifier(), Serializers.manifestFor(serializer, payload),
        Option.empty(), Option.empty(), Option.empty());
  }

  /** A row with its tags, as the journal DAO writes it. */
  public static Tuple2<JournalPekkoSerializationRow, Set<String>> tagged(JournalPekkoSerializationRow row,
      String... tags) {
    return Tuple2.apply(row, Set.from(CollectionConverters.asScala(List.of(tags))));
  }

  @Override
  public void close() throws Exception {
    try {
      slick.close();
    } finally {
      try {
        testKit.shutdownTestKit();
      } finally {
        db.close();
      }
    }
  }
}
