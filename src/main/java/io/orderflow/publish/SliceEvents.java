package io.orderflow.publish;

import io.orderflow.infra.JournalHead;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The events of one tag slice, in journal order, from an offset on and for as long as the journal
 * grows: the publisher projection's source. What the read journal's live {@code eventsByTag}
 * does, except that a slice queries only when the journal's {@link JournalHead} has moved past
 * what it has read, instead of on a timer of its own (every second, for every slice, on every
 * publisher node, with or without events: most of an idle node's work). An event reaches the slice
 * when the read journal's gap detector has seen it (within its {@code query-delay}), as before.
 */
final class SliceEvents extends SourceProvider<Offset, EventEnvelope<Object>> {
  private final ActorSystem<?> system;
  private final JournalHead head;
  private final String tag;
  private final int batchSize;

  SliceEvents(ActorSystem<?> system, String tag, int batchSize) {
    this.system = system;
    this.head = JournalHead.get(system);
    this.tag = tag;
    this.batchSize = batchSize;
  }

  @Override
  public CompletionStage<Source<EventEnvelope<Object>, NotUsed>> source(Supplier<CompletionStage<Optional<Offset>>> offset) {
    return offset.get().thenApply(stored -> {
      long from = stored.map(o -> ((Sequence) o).value()).orElse(0L);
      return Source.unfoldAsync(from, this::next).mapConcat(batch -> batch);
    });
  }

  /**
   * The next batch after {@code read} (every event of the slice up to it has been emitted), and
   * how far that batch reads: to the head, or to its last event when the batch is full.
   */
  private CompletionStage<Optional<Pair<Long, List<EventEnvelope<Object>>>>> next(long read) {
    return head.after(read).thenCompose(upTo ->
        head.eventsByTag(tag, read, upTo, batchSize).runWith(Sink.seq(), system).thenApply(batch -> {
          long nowRead = batch.size() < batchSize ? upTo : ordering(batch.get(batch.size() - 1));
          return Optional.of(Pair.create(nowRead, batch));
        }));
  }

  private static long ordering(EventEnvelope<Object> envelope) {
    return ((Sequence) envelope.offset()).value();
  }

  @Override
  public Offset extractOffset(EventEnvelope<Object> envelope) {
    return envelope.offset();
  }

  @Override
  public long extractCreationTime(EventEnvelope<Object> envelope) {
    return envelope.timestamp();
  }
}
