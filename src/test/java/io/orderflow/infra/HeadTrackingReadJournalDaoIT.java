package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.orderflow.testing.JournalDatabase;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The head against a real PostgreSQL: what the gap detector's queries show to be final, and never
 * past an ordering a transaction may still commit.
 */
class HeadTrackingReadJournalDaoIT {
  static JournalDatabase store;
  static HeadTrackingReadJournalDao dao;
  static JournalHead head;

  @BeforeAll
  static void start() throws Exception {
    store = new JournalDatabase();
    dao = store.readJournalDao();
    head = JournalHead.get(store.testKit.system());
  }

  @AfterAll
  static void stop() throws Exception {
    if (store != null) store.close();
  }

  @Test
  void theNodeReadsTheJournalThroughIt() {
    assertEquals(HeadTrackingReadJournalDao.class.getName(), ConfigFactory.load().getString("jdbc-read-journal.dao"));
  }

  @Test
  void theHeadStopsAtAGapUntilTheGapDetectorHasMovedPastIt() throws Exception {
    store.append("a", 1, "created", "slice-1");
    store.append("a", 2, "paid", "slice-2");
    long first = max();
    assertEquals(List.of(first - 1, first), journalSequence(first - 2), "what the gap detector is shown");
    assertEquals(first, now(), "a run without gaps is final");

    // An ordering taken by a transaction that has not committed (or never will): a gap.
    store.db.count("SELECT nextval('event_journal_ordering_seq')");
    store.append("b", 1, "created", "slice-1");
    long last = max();
    assertEquals(first + 2, last);
    assertEquals(List.of(last), journalSequence(first));
    assertEquals(first, now(), "not past the gap, though a later event is there");

    journalSequence(first + 1); // the gap detector gave the gap up and asks from past it
    assertEquals(last, now());
    assertEquals(List.of("created", "created"), payloads(head.eventsByTag("slice-1", 0, last, 10)));
    assertEquals(List.of("paid"), payloads(head.eventsByTag("slice-2", 0, last, 10)));
    assertEquals(List.of("created"), payloads(head.eventsByTag("slice-1", first, last, 10)), "after an ordering");
    assertEquals(List.of("created"), payloads(head.eventsByTag("slice-1", 0, last, 1)), "at most the limit");
  }

  private static long now() throws Exception {
    return head.after(-1).toCompletableFuture().get(1, TimeUnit.SECONDS);
  }

  private static long max() throws Exception {
    return store.db.count("SELECT max(ordering) FROM event_journal");
  }

  private static List<Long> journalSequence(long offset) throws Exception {
    return dao.journalSequence(offset, 100).asJava().map(o -> (Long) o)
        .runWith(Sink.seq(), store.testKit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }


  private static List<Object> payloads(org.apache.pekko.stream.javadsl.Source<
      org.apache.pekko.projection.eventsourced.EventEnvelope<Object>, ?> events) throws Exception {
    return events.map(e -> e.event()).runWith(Sink.seq(), store.testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
