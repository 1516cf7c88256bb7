package io.orderflow.worker;

import com.typesafe.config.Config;
import io.nats.client.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import io.orderflow.infra.Database;
import io.orderflow.order.Orders;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A JetStream worker as its feature declares it: the durable consumer it reads (on which stream,
 * filtered to which subject), the node role that runs it, and its handler. The broker creates
 * the consumer, {@link JetStreamWorker} runs the loop; the feature owns only the handling.
 *
 * @param switchKey a boolean config key that can switch the worker off on every node (null: none);
 *     its consumer is declared either way, so its messages wait for it
 * @param handler made only on nodes that run the role, from what the node offers
 */
public record Worker(String role, String stream, String durable, String filterSubject, String switchKey,
    Function<Context, BatchHandler> handler) {

  /** A worker that runs on every node with its role. */
  public Worker(String role, String stream, String durable, String filterSubject,
      Function<Context, BatchHandler> handler) {
    this(role, stream, durable, filterSubject, null, handler);
  }

  public boolean enabled(Config config) {
    return switchKey == null || config.getBoolean(switchKey);
  }

  /** What a node offers its workers' handlers. */
  public record Context(ActorSystem<?> system, Orders orders, Database db) {}

  /**
   * Decides the outcome of each message of a batch: one stage per message, in the batch's order.
   * A message is settled as soon as its own stage completes.
   */
  @FunctionalInterface
  public interface BatchHandler {
    List<CompletionStage<Outcome>> handle(List<Message> batch);
  }

  /** A handler of single messages, run concurrently; a failure becomes a retry. */
  public static BatchHandler perMessage(Function<Message, CompletionStage<Outcome>> handler) {
    return batch -> {
      List<CompletionStage<Outcome>> results = new ArrayList<>(batch.size());
      for (Message m : batch) {
        try {
          results.add(handler.apply(m));
        } catch (RuntimeException e) {
          results.add(CompletableFuture.failedFuture(e));
        }
      }
      return results;
    };
  }
}
