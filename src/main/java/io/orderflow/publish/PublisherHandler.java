package io.orderflow.publish;

import io.orderflow.eventstore.JournalEvent;
import io.orderflow.order.Order;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a batch of journaled events and completes only when every one is acknowledged by the
 * stream; the projection saves the batch's offset after that. A failure fails the batch, the
 * projection restarts from the saved offset, and the re-published events are dropped as
 * duplicates by their Nats-Msg-Id: each event is in the stream exactly once.
 */
public final class PublisherHandler extends Handler<List<EventEnvelope<Object>>> {
  private static final Logger log = LoggerFactory.getLogger(PublisherHandler.class);

  private final EventSink sink;
  private final OrderStates states;
  private final StoredEvents stored;

  public PublisherHandler(EventSink sink, OrderStates states) {
    this(sink, states, new StoredEvents(0));
  }

  PublisherHandler(EventSink sink, OrderStates states, StoredEvents stored) {
    this.sink = sink;
    this.states = states;
    this.stored = stored;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<Object>> envelopes) {
    // States are derived in journal order; then everything is published at once and awaited.
    CompletionStage<List<Outgoing>> messages = CompletableFuture.completedFuture(new ArrayList<>(envelopes.size()));
    for (EventEnvelope<Object> env : envelopes) {
      messages = messages.thenCompose(list -> toOutgoing(env).thenApply(m -> {
        if (m != null) list.add(m);
        return list;
      }));
    }
    return messages.thenCompose(this::publishAll);
  }

  private CompletionStage<Outgoing> toOutgoing(EventEnvelope<Object> env) {
    JournalEvent event;
    try {
      event = JournalEvent.of(env.persistenceId(), env.sequenceNr(), env.timestamp(), env.event());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (env.event() instanceof Order.Event e) {
      // The state chain sees every event; one already acknowledged through this node's fast path
      // is not published again (null).
      boolean inStream = stored.contains(env.persistenceId(), env.sequenceNr());
      return states.after(env.persistenceId(), env.sequenceNr(), e)
          .thenApply(state -> inStream ? null : Outgoing.of(event, state));
    }
    return CompletableFuture.completedFuture(Outgoing.of(event));
  }

  private CompletionStage<Done> publishAll(List<Outgoing> messages) {
    List<CompletableFuture<Boolean>> acks = new ArrayList<>(messages.size());
    for (Outgoing m : messages) acks.add(sink.publish(m).toCompletableFuture());
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
        .whenComplete((v, err) -> {
          if (err != null) {
            log.warn("Publishing {} events failed ({}); the batch will be retried", messages.size(), err.toString());
          } else if (log.isDebugEnabled()) {
            long dups = acks.stream().filter(CompletableFuture::join).count();
            log.debug("Published {} events ({} duplicates dropped by the stream)", messages.size(), dups);
          }
        })
        .thenApply(v -> Done.getInstance());
  }
}
