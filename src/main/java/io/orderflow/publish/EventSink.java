package io.orderflow.publish;

import io.nats.client.PublishOptions;
import io.orderflow.infra.NatsBroker;
import io.orderflow.metrics.Metrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Where the publisher sends events: JetStream in production, a list in the handler's unit tests. */
@FunctionalInterface
public interface EventSink {
  /** Completes when the stream has stored the message; {@code true} when it was a duplicate it dropped. */
  CompletionStage<Boolean> publish(Outgoing message);

  /**
   * Publishes to JetStream with {@code Nats-Msg-Id} and awaits the stream's acknowledgement,
   * timed as {@code path} (projection or fast).
   */
  static EventSink jetStream(NatsBroker broker, Metrics metrics, String path) {
    return m -> {
      try {
        broker.ensureStream(m.stream());
        PublishOptions options = PublishOptions.builder().messageId(m.msgId()).expectedStream(m.stream()).build();
        long start = System.nanoTime();
        // No timer of its own: jnats fails a publish the stream has not acknowledged 5 to 10 s
        // after it was made (its request cleanup runs every 5 s), connected or not.
        return broker.jetStream().publishAsync(m.subject(), m.headers(), m.body(), options)
            .thenApply(ack -> {
              metrics.published(path, System.nanoTime() - start);
              return ack.isDuplicate();
            });
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    };
  }
}
