package io.orderflow.infra;

import static io.orderflow.testing.JournalDatabase.tagged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.testing.JournalDatabase;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The journal's writes against a real PostgreSQL: each event row with its tag rows, a batch
 * wholly or not at all, and rows the plugin's own reads give back.
 */
class SingleStatementJournalDaoIT {
  static JournalDatabase store;
  static SingleStatementJournalDao dao;

  @BeforeAll
  static void start() throws Exception {
    store = new JournalDatabase();
    dao = store.journalDao();
  }

  @AfterAll
  static void stop() throws Exception {
    if (store != null) store.close();
  }

  @Test
  void writesEachEventWithItsTagsAloneOrInABatch() throws Exception {
    write(store.row("a", 1, "created"), "slice-1", "kind-x");
    write(List.of(tagged(store.row("a", 2, "paid"), "slice-1"), tagged(store.row("b", 1, "other"))));

    assertEquals(List.of(List.of(1L, "created"), List.of(2L, "paid")), journal("a"));
    assertEquals(List.of(List.of(1L, "other")), journal("b"));
    assertEquals(List.of(List.of("a", 1L, "kind-x"), List.of("a", 1L, "slice-1"), List.of("a", 2L, "slice-1")),
        store.db.rows("SELECT j.persistence_id, j.sequence_number, t.tag FROM event_tag t"
            + " JOIN event_journal j ON j.ordering = t.event_id ORDER BY j.persistence_id, j.sequence_number, t.tag"));
    assertEquals(List.of("created", "paid"), read("a"), "the plugin reads back what was written");
  }

  @Test
  void everyWriteIsOneExplicitTransaction() throws Exception {
    int before = store.commits.get();
    write(store.row("e", 1, "alone"), "slice-3");
    assertEquals(before + 1, store.commits.get(),
        "a lone event is committed explicitly, where the write fence checks it");
    write(List.of(tagged(store.row("e", 2, "two"), "slice-3"), tagged(store.row("f", 1, "three"), "slice-0")));
    assertEquals(before + 2, store.commits.get(), "a batch is one transaction");
    assertEquals(List.of(List.of(1L, "alone"), List.of(2L, "two")), journal("e"));
  }

  @Test
  void aBatchIsWrittenWhollyOrNotAtAll() throws Exception {
    write(store.row("c", 1, "first"), "slice-2");
    ExecutionException e = assertThrows(ExecutionException.class, () ->
        write(List.of(tagged(store.row("d", 1, "lost"), "slice-2"),
            tagged(store.row("c", 1, "again"), "slice-2"))));
    assertTrue(String.valueOf(e.getCause().getMessage()).contains("duplicate key"), e.getCause().toString());
    assertEquals(List.of(), journal("d"), "nothing of the failed batch is written");
    assertEquals(List.of(List.of(1L, "first")), journal("c"));
    assertEquals(1L, store.db.count("SELECT count(*) FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id"
        + " WHERE j.persistence_id IN ('c', 'd')"));
  }

  @Test
  void recoveryOfAnIdMadeUpHereAsksNothingOnce() throws Exception {
    write(List.of(tagged(store.row("g", 1, "one")), tagged(store.row("g", 2, "two"))));
    NewPersistenceIds newIds = NewPersistenceIds.get(store.testKit.system());
    newIds.add("h");

    int before = store.statements.get();
    assertEquals(0L, highestSequenceNr("h"));
    assertEquals(before, store.statements.get(), "a new id's highest sequence number needs no query");
    assertEquals(2L, highestSequenceNr("g"));
    assertEquals(before + 1, store.statements.get(), "an id not marked new is looked up");
    write(store.row("h", 1, "first"));
    assertEquals(1L, highestSequenceNr("h"), "the mark is used up by the first recovery");
  }

  private static long highestSequenceNr(String pid) throws Exception {
    return (Long) FutureConverters.asJava(dao.highestSequenceNr(pid, 0L)).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static void write(JournalPekkoSerializationRow row, String... tags) throws Exception {
    write(List.of(tagged(row, tags)));
  }

  private static void write(List<Tuple2<JournalPekkoSerializationRow, scala.collection.immutable.Set<String>>> rows)
      throws Exception {
    FutureConverters.asJava(dao.writeJournalRows(CollectionConverters.asScala(rows).toList()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The journal rows of a persistence id: sequence number and payload, as stored. */
  private static List<List<Object>> journal(String pid) throws Exception {
    return store.db.rows("SELECT sequence_number, event_payload FROM event_journal WHERE persistence_id = ?"
        + " ORDER BY sequence_number", pid).stream()
        .map(r -> List.<Object>of(r.get(0), store.serialization.deserialize((byte[]) r.get(1), String.class).get()))
        .toList();
  }

  private static List<Object> read(String pid) throws Exception {
    return dao.messages(pid, 1, Long.MAX_VALUE, Long.MAX_VALUE).asJava()
        .map(t -> t.get()._1().payload())
        .runWith(Sink.seq(), store.testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
