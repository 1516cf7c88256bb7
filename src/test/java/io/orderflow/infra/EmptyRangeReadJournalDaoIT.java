package io.orderflow.infra;

import static io.orderflow.testing.JournalDatabase.tagged;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.orderflow.testing.JournalDatabase;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.config.ReadJournalConfig;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import slick.jdbc.PostgresProfile$;

/** The read journal's tag queries against a real PostgreSQL: an empty range of orderings asks nothing. */
class EmptyRangeReadJournalDaoIT {
  static JournalDatabase store;
  static EmptyRangeReadJournalDao dao;
  /** The highest ordering in the journal. */
  static long max;

  @BeforeAll
  static void start() throws Exception {
    store = new JournalDatabase();
    var config = ConfigFactory.defaultReference();
    dao = new EmptyRangeReadJournalDao(store.slick, PostgresProfile$.MODULE$,
        new ReadJournalConfig(config.getConfig("jdbc-read-journal")), store.serialization, store.ec(), store.mat());
    var journal = new SingleStatementJournalDao(store.slick, PostgresProfile$.MODULE$,
        new JournalConfig(config.getConfig("jdbc-journal")), store.serialization, store.ec(), store.mat());
    var rows = List.of(tagged(store.row("a", 1, "created"), "slice-1"), tagged(store.row("a", 2, "paid"), "slice-1"));
    FutureConverters.asJava(journal.writeJournalRows(CollectionConverters.asScala(rows).toList()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    max = store.db.count("SELECT max(ordering) FROM event_journal");
  }

  @AfterAll
  static void stop() throws Exception {
    if (store != null) store.close();
  }

  @Test
  void theNodeReadsTheJournalThroughIt() {
    assertEquals(EmptyRangeReadJournalDao.class.getName(), ConfigFactory.load().getString("jdbc-read-journal.dao"));
  }

  @Test
  void aRangeWithOrderingsIsQueried() throws Exception {
    int before = store.statements.get();
    assertEquals(List.of("created", "paid"), eventsByTag("slice-1", 0, max));
    assertEquals(List.of("paid"), eventsByTag("slice-1", max - 1, max));
    assertEquals(List.of(), eventsByTag("slice-2", 0, max), "no event of that tag");
    assertEquals(before + 3, store.statements.get(), "each of those asked the database");
  }

  @Test
  void anEmptyRangeAsksNothing() throws Exception {
    int before = store.statements.get();
    assertEquals(List.of(), eventsByTag("slice-1", max, max), "the range after the last ordering: an idle poll");
    assertEquals(List.of(), eventsByTag("slice-1", max + 5, max), "an offset beyond the gap-free maximum");
    assertEquals(before, store.statements.get(), "neither asked the database");
  }

  private static List<Object> eventsByTag(String tag, long offset, long maxOffset) throws Exception {
    return dao.eventsByTag(tag, offset, maxOffset, 500).asJava()
        .map(t -> t.get()._1().payload())
        .runWith(Sink.seq(), store.testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
