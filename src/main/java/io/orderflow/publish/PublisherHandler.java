package io.orderflow.publish;

import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.orderflow.eventstore.AggregateStream;
import io.orderflow.infra.NatsBroker;
import io.orderflow.order.Order;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a batch of journaled events to JetStream and completes only when every one is
 * acknowledged by the stream; the projection saves the batch's offset after that. A failure
 * fails the batch, the projection restarts from the saved offset, and the re-published events
 * are dropped as duplicates by their Nats-Msg-Id: each event is in the stream exactly once.
 */
public final class PublisherHandler extends Handler<List<EventEnvelope<Object>>> {
  private static final Logger log = LoggerFactory.getLogger(PublisherHandler.class);
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

  private final NatsBroker broker;
  private final OrderStates states;

  public PublisherHandler(NatsBroker broker, OrderStates states) {
    this.broker = broker;
    this.states = states;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<Object>> envelopes) {
    // States are derived in journal order; then everything is published at once and awaited.
    CompletionStage<List<Outgoing>> messages = CompletableFuture.completedFuture(new ArrayList<>(envelopes.size()));
    for (EventEnvelope<Object> env : envelopes) {
      messages = messages.thenCompose(list -> toOutgoing(env).thenApply(m -> {
        list.add(m);
        return list;
      }));
    }
    return messages.thenCompose(this::publishAll);
  }

  /** Publishes one message; completes with the stream's acknowledgement (a duplicate is one too). */
  static CompletableFuture<PublishAck> publish(NatsBroker broker, Outgoing m) throws Exception {
    broker.ensureStream(m.stream());
    PublishOptions options = PublishOptions.builder().messageId(m.msgId()).expectedStream(m.stream()).build();
    return broker.jetStream().publishAsync(m.subject(), m.headers(), m.body(), options)
        .orTimeout(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private CompletionStage<Outgoing> toOutgoing(EventEnvelope<Object> env) {
    Object event = env.event();
    if (event instanceof Order.Event e) {
      // Order events have no id of their own: their journal coordinate is their id.
      return states.after(env.persistenceId(), env.sequenceNr(), e)
          .thenApply(state -> Outgoing.of(env.persistenceId(), env.sequenceNr(), e, state));
    }
    if (event instanceof AggregateStream.Appended e) {
      return CompletableFuture.completedFuture(new Outgoing(e.aggregateType(), e.eventType(), env.persistenceId(),
          env.sequenceNr(), e.eventId(), e.aggregateId(), e.aggregateType(), e.data().getBytes(StandardCharsets.UTF_8)));
    }
    return CompletableFuture.failedFuture(new IllegalStateException(
        "cannot publish event of type " + event.getClass().getName() + " from " + env.persistenceId()));
  }

  private CompletionStage<Done> publishAll(List<Outgoing> messages) {
    List<CompletableFuture<PublishAck>> acks = new ArrayList<>(messages.size());
    try {
      for (Outgoing m : messages) acks.add(publish(broker, m));
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
        .whenComplete((v, err) -> {
          if (err != null) {
            log.warn("Publishing {} events failed ({}); the batch will be retried", messages.size(), err.toString());
          } else if (log.isDebugEnabled()) {
            long dups = acks.stream().filter(a -> a.join().isDuplicate()).count();
            log.debug("Published {} events ({} duplicates dropped by the stream)", messages.size(), dups);
          }
        })
        .thenApply(v -> Done.getInstance());
  }
}
