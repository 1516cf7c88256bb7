package io.orderflow.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.orderflow.infra.HeadTrackingReadJournalDao;
import io.orderflow.testing.JournalDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A publisher slice's source against a real PostgreSQL: its own tag's events, in order, from an
 * offset, in pages, and a new event once the journal's head has moved past it, never past a gap.
 */
class SliceEventsIT {
  static JournalDatabase store;
  static HeadTrackingReadJournalDao readDao;

  @BeforeAll
  static void start() throws Exception {
    store = new JournalDatabase();
    readDao = store.readJournalDao();
  }

  @AfterAll
  static void stop() throws Exception {
    if (store != null) store.close();
  }

  @Test
  void theSliceReadsItsEventsInPagesAndNewOnesOnceTheHeadHasMoved() throws Exception {
    for (int i = 1; i <= 5; i++) store.append("o-" + i, 1, "created-" + i, "slice-1");
    store.append("x", 1, "other", "slice-2");
    store.append("o-6", 1, "created-6", "slice-1");
    var slice = new SliceEvents(store.testKit.system(), "slice-1", 2);

    BlockingQueue<EventEnvelope<Object>> seen = new LinkedBlockingQueue<>();
    UniqueKillSwitch running = run(slice, Optional.empty(), seen);
    try {
      assertNull(seen.poll(500, TimeUnit.MILLISECONDS), "nothing before the head has moved");
      gapDetectorRuns();
      List<Object> all = take(seen, 6);
      assertEquals(List.of("created-1", "created-2", "created-3", "created-4", "created-5", "created-6"), all,
          "its own tag's events, in order, over three pages of two");
      assertNull(seen.poll(300, TimeUnit.MILLISECONDS), "and no more");

      store.append("o-7", 1, "created-7", "slice-1");
      assertNull(seen.poll(500, TimeUnit.MILLISECONDS), "not before the gap detector has seen it");
      gapDetectorRuns();
      assertEquals(List.of("created-7"), take(seen, 1));

      // An ordering taken by a transaction that has not committed: what comes after it waits.
      store.append("o-8", 1, "created-8", "slice-1");
      long gap = store.db.count("SELECT nextval('event_journal_ordering_seq')");
      store.append("o-9", 1, "created-9", "slice-1");
      gapDetectorRuns();
      assertEquals(List.of("created-8"), take(seen, 1));
      assertNull(seen.poll(500, TimeUnit.MILLISECONDS), "nothing past the gap");
      gapDetectorAsksAfter(gap); // it gave the gap up
      assertEquals(List.of("created-9"), take(seen, 1));
    } finally {
      running.shutdown();
    }

    // From a stored offset: what comes after it.
    long third = store.db.count("SELECT ordering FROM event_journal WHERE persistence_id = 'o-3'");
    BlockingQueue<EventEnvelope<Object>> resumed = new LinkedBlockingQueue<>();
    UniqueKillSwitch again = run(slice, Optional.of(Offset.sequence(third)), resumed);
    try {
      assertEquals(List.of("created-4", "created-5", "created-6", "created-7", "created-8", "created-9"),
          take(resumed, 6));
      assertNull(resumed.poll(300, TimeUnit.MILLISECONDS));
    } finally {
      again.shutdown();
    }
  }

  /** What the read journal's gap detector does once a query-delay: ask for the orderings after what it knows. */
  private static void gapDetectorRuns() throws Exception {
    gapDetectorAsksAfter(0);
  }

  private static void gapDetectorAsksAfter(long offset) throws Exception {
    readDao.journalSequence(offset, 10_000).asJava().runWith(Sink.ignore(), store.testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static UniqueKillSwitch run(SliceEvents slice, Optional<Offset> from, BlockingQueue<EventEnvelope<Object>> into)
      throws Exception {
    return slice.source(() -> CompletableFuture.completedFuture(from)).toCompletableFuture().get(10, TimeUnit.SECONDS)
        .viaMat(KillSwitches.single(), Keep.right())
        .to(Sink.foreach(into::add))
        .run(store.testKit.system());
  }

  private static List<Object> take(BlockingQueue<EventEnvelope<Object>> from, int n) throws InterruptedException {
    List<Object> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      EventEnvelope<Object> e = from.poll(10, TimeUnit.SECONDS);
      if (e == null) break;
      events.add(e.event());
    }
    return events;
  }

}
