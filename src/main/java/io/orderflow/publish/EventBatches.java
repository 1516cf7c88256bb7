package io.orderflow.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A journal query's events in batches: a batch is whatever arrived while the previous one was
 * being published, up to {@code maxBatch} (Pekko Streams' {@code batch}, driven by backpressure).
 * The projection's own {@code groupedWithin} waits for a window to fill instead, and its timer fires
 * every window for every slice, with or without events: most of an idle node's timers. Here
 * nothing waits and nothing ticks. The offset of a batch is that of its last event, as it was
 * for a group.
 */
final class EventBatches extends SourceProvider<Offset, List<EventEnvelope<Object>>> {
  private final SourceProvider<Offset, EventEnvelope<Object>> events;
  private final int maxBatch;

  EventBatches(SourceProvider<Offset, EventEnvelope<Object>> events, int maxBatch) {
    if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
    this.events = events;
    this.maxBatch = maxBatch;
  }

  @Override
  public CompletionStage<Source<List<EventEnvelope<Object>>, NotUsed>> source(
      Supplier<CompletionStage<Optional<Offset>>> offset) {
    return events.source(offset).thenApply(source -> source.batch(maxBatch, EventBatches::newBatch, EventBatches::add));
  }

  @Override
  public Offset extractOffset(List<EventEnvelope<Object>> batch) {
    return events.extractOffset(last(batch));
  }

  @Override
  public long extractCreationTime(List<EventEnvelope<Object>> batch) {
    return events.extractCreationTime(last(batch));
  }

  private static List<EventEnvelope<Object>> newBatch(EventEnvelope<Object> first) {
    List<EventEnvelope<Object>> batch = new ArrayList<>();
    batch.add(first);
    return batch;
  }

  // Only the batch not yet emitted is ever added to.
  private static List<EventEnvelope<Object>> add(List<EventEnvelope<Object>> batch, EventEnvelope<Object> next) {
    batch.add(next);
    return batch;
  }

  private static EventEnvelope<Object> last(List<EventEnvelope<Object>> batch) {
    return batch.get(batch.size() - 1);
  }
}
