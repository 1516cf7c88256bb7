package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.orderflow.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcBackend$;
import slick.jdbc.PostgresProfile$;
import slick.util.AsyncExecutor$;

/**
 * The journal's writes against a real PostgreSQL: each event row with its tag rows, a batch
 * wholly or not at all, and rows the plugin's own reads give back.
 */
class SingleStatementJournalDaoIT {
  static TestDatabase db;
  static ActorTestKit testKit;
  static JdbcBackend.JdbcDatabaseDef slick;
  static SingleStatementJournalDao dao;
  static Serialization serialization;
  static final AtomicInteger COMMITS = new AtomicInteger();
  static final AtomicInteger STATEMENTS = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create();
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute(new String(SingleStatementJournalDaoIT.class.getResourceAsStream("/db/schema.sql").readAllBytes(),
          StandardCharsets.UTF_8));
    }
    testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local")
        .withFallback(ConfigFactory.defaultReference()));
    serialization = SerializationExtension.get(testKit.system());
    // Connections that count their commits (the write fence gates commits, so every write must have
    // one) and the statements they prepare.
    PGSimpleDataSource counting = new PGSimpleDataSource() {
      @Override
      public Connection getConnection() throws SQLException {
        Connection c = super.getConnection();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("commit")) COMMITS.incrementAndGet();
              if (method.getName().startsWith("prepare")) STATEMENTS.incrementAndGet();
              try {
                return method.invoke(c, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
      }
    };
    counting.setURL(db.url);
    counting.setUser("postgres");
    slick = JdbcBackend$.MODULE$.Database().forDataSource(counting, Option.apply(2),
        AsyncExecutor$.MODULE$.apply("journal-test", 2, 2, 100, 2), false);
    dao = new SingleStatementJournalDao(slick, PostgresProfile$.MODULE$,
        new JournalConfig(ConfigFactory.defaultReference().getConfig("jdbc-journal")), serialization,
        testKit.system().executionContext(), Materializer.matFromSystem(testKit.system()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (slick != null) slick.close();
    if (testKit != null) testKit.shutdownTestKit();
    if (db != null) db.close();
  }

  @Test
  void writesEachEventWithItsTagsAloneOrInABatch() throws Exception {
    write(row("a", 1, "created"), "slice-1", "kind-x");
    write(List.of(rowWithTags(row("a", 2, "paid"), "slice-1"), rowWithTags(row("b", 1, "other"))));

    assertEquals(List.of(List.of(1L, "created"), List.of(2L, "paid")), journal("a"));
    assertEquals(List.of(List.of(1L, "other")), journal("b"));
    assertEquals(List.of(List.of("a", 1L, "kind-x"), List.of("a", 1L, "slice-1"), List.of("a", 2L, "slice-1")),
        db.rows("SELECT j.persistence_id, j.sequence_number, t.tag FROM event_tag t"
            + " JOIN event_journal j ON j.ordering = t.event_id ORDER BY j.persistence_id, j.sequence_number, t.tag"));
    assertEquals(List.of("created", "paid"), read("a"), "the plugin reads back what was written");
  }

  @Test
  void everyWriteIsOneExplicitTransaction() throws Exception {
    int before = COMMITS.get();
    write(row("e", 1, "alone"), "slice-3");
    assertEquals(before + 1, COMMITS.get(), "a lone event is committed explicitly, where the write fence checks it");
    write(List.of(rowWithTags(row("e", 2, "two"), "slice-3"), rowWithTags(row("f", 1, "three"), "slice-0")));
    assertEquals(before + 2, COMMITS.get(), "a batch is one transaction");
    assertEquals(List.of(List.of(1L, "alone"), List.of(2L, "two")), journal("e"));
  }

  @Test
  void aBatchIsWrittenWhollyOrNotAtAll() throws Exception {
    write(row("c", 1, "first"), "slice-2");
    ExecutionException e = assertThrows(ExecutionException.class, () ->
        write(List.of(rowWithTags(row("d", 1, "lost"), "slice-2"), rowWithTags(row("c", 1, "again"), "slice-2"))));
    assertTrue(String.valueOf(e.getCause().getMessage()).contains("duplicate key"), e.getCause().toString());
    assertEquals(List.of(), journal("d"), "nothing of the failed batch is written");
    assertEquals(List.of(List.of(1L, "first")), journal("c"));
    assertEquals(1L, db.count("SELECT count(*) FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id"
        + " WHERE j.persistence_id IN ('c', 'd')"));
  }

  @Test
  void recoveryOfAnIdMadeUpHereAsksNothingOnce() throws Exception {
    write(List.of(rowWithTags(row("g", 1, "one")), rowWithTags(row("g", 2, "two"))));
    NewPersistenceIds newIds = NewPersistenceIds.get(testKit.system());
    newIds.add("h");

    int before = STATEMENTS.get();
    assertEquals(0L, highestSequenceNr("h"));
    assertEquals(before, STATEMENTS.get(), "a new id's highest sequence number needs no query");
    assertEquals(2L, highestSequenceNr("g"));
    assertEquals(before + 1, STATEMENTS.get(), "an id not marked new is looked up");
    write(row("h", 1, "first"));
    assertEquals(1L, highestSequenceNr("h"), "the mark is used up by the first recovery");
  }

  private static long highestSequenceNr(String pid) throws Exception {
    return (Long) FutureConverters.asJava(dao.highestSequenceNr(pid, 0L)).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static JournalPekkoSerializationRow row(String pid, long seqNr, String payload) {
    var serializer = serialization.findSerializerFor(payload);
    return new JournalPekkoSerializationRow(Long.MIN_VALUE, false, pid, seqNr, "writer-1", System.currentTimeMillis(),
        "", serializer.toBinary(payload), serializer.identifier(), Serializers.manifestFor(serializer, payload),
        Option.empty(), Option.empty(), Option.empty());
  }

  private static Tuple2<JournalPekkoSerializationRow, scala.collection.immutable.Set<String>> rowWithTags(
      JournalPekkoSerializationRow row, String... tags) {
    return Tuple2.apply(row, scala.collection.immutable.Set.from(CollectionConverters.asScala(List.of(tags))));
  }

  private static void write(JournalPekkoSerializationRow row, String... tags) throws Exception {
    write(List.of(rowWithTags(row, tags)));
  }

  private static void write(List<Tuple2<JournalPekkoSerializationRow, scala.collection.immutable.Set<String>>> rows)
      throws Exception {
    FutureConverters.asJava(dao.writeJournalRows(CollectionConverters.asScala(rows).toList()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The journal rows of a persistence id: sequence number and payload, as stored. */
  private static List<List<Object>> journal(String pid) throws Exception {
    return db.rows("SELECT sequence_number, event_payload FROM event_journal WHERE persistence_id = ?"
        + " ORDER BY sequence_number", pid).stream()
        .map(r -> List.<Object>of(r.get(0), serialization.deserialize((byte[]) r.get(1), String.class).get()))
        .toList();
  }

  private static List<Object> read(String pid) throws Exception {
    return dao.messages(pid, 1, Long.MAX_VALUE, Long.MAX_VALUE).asJava()
        .map(t -> t.get()._1().payload())
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
