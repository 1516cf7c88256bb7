package io.orderflow.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.testkit.javadsl.TestSourceProvider;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The publisher's batches: what arrives while one is published is the next, bounded, in journal order. */
class EventBatchesTest {
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static List<EventEnvelope<Object>> events(int n) {
    return LongStream.rangeClosed(1, n)
        .mapToObj(i -> EventEnvelope.create(Sequence.apply(i), "Order|o-" + i, 1, (Object) ("e" + i), 1_000 + i))
        .toList();
  }

  static EventBatches batches(Source<EventEnvelope<Object>, ?> journal, int maxBatch) {
    var events = TestSourceProvider.<Offset, EventEnvelope<Object>>create(
            journal.mapMaterializedValue(m -> org.apache.pekko.NotUsed.getInstance()), EventEnvelope::offset)
        .withExtractCreationTimeFunction(EventEnvelope::timestamp)
        .withAllowCompletion(true);
    return new EventBatches(events, maxBatch);
  }

  static List<Long> offsets(List<EventEnvelope<Object>> batch) {
    return batch.stream().map(e -> ((Sequence) e.offset()).value()).toList();
  }

  /**
   * Runs the batches through a publisher that is busy with the first batch until {@code release}
   * completes, as the projection's handler is until JetStream acknowledges; returns the batches.
   */
  static List<List<Long>> publish(EventBatches batches, CompletionStage<?> release) throws Exception {
    List<List<Long>> seen = new ArrayList<>();
    AtomicInteger handled = new AtomicInteger();
    batches.source(() -> CompletableFuture.completedFuture(Optional.empty()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS)
        .mapAsync(1, batch -> {
          seen.add(offsets(batch));
          return handled.getAndIncrement() == 0 ? release.thenApply(x -> batch) : CompletableFuture.completedFuture(batch);
        })
        .runWith(Sink.ignore(), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    return seen;
  }

  @Test
  void whatArrivesWhileABatchIsPublishedIsTheNextBatch() throws Exception {
    CompletableFuture<Done> journalRead = new CompletableFuture<>();
    Source<EventEnvelope<Object>, ?> journal = Source.from(events(10))
        .watchTermination((m, done) -> done.thenAccept(journalRead::complete));

    // The first event goes at once: nothing waits for a batch to fill. The publisher is then busy
    // until the whole query result has been read; all of it is the next batch.
    List<List<Long>> seen = publish(batches(journal, 500), journalRead);

    assertEquals(List.of(List.of(1L), List.of(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L)), seen);
  }

  @Test
  void aBatchHoldsAtMostMaxBatchEventsAndNoneIsLostOrReordered() throws Exception {
    // Released once the stage holds a full batch of 3 and has read one more: the query is then
    // held back. Completed from inside the stream, so the release is handled after that pass.
    AtomicInteger read = new AtomicInteger();
    CompletableFuture<Void> full = new CompletableFuture<>();
    Source<EventEnvelope<Object>, ?> journal = Source.from(events(10)).map(e -> {
      if (read.incrementAndGet() == 5) full.complete(null);
      return e;
    });

    List<List<Long>> seen = publish(batches(journal, 3), full);

    assertEquals(List.of(1L), seen.get(0));
    assertEquals(List.of(2L, 3L, 4L), seen.get(1));
    assertTrue(seen.stream().allMatch(b -> !b.isEmpty() && b.size() <= 3), "batch sizes: " + seen);
    assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(), seen.stream().flatMap(List::stream).toList());
  }

  @Test
  void aBatchsOffsetAndTimeAreItsLastEvents() {
    EventBatches batches = batches(Source.empty(), 10);
    List<EventEnvelope<Object>> batch = events(3);
    assertEquals(Sequence.apply(3), batches.extractOffset(batch));
    assertEquals(1_003L, batches.extractCreationTime(batch));
  }

  @Test
  void aBatchOfNothingIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> batches(Source.empty(), 0));
  }
}
