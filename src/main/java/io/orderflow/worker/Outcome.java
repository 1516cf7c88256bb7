package io.orderflow.worker;

import io.orderflow.infra.Database;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.pattern.StatusReply;

/** What a worker does with one message once its handler is done with it. */
public sealed interface Outcome {
  Outcome ACK = new Ack();

  record Ack() implements Outcome {}

  /** Never deliver again: the message can never succeed (logged as dead-lettered). */
  record Terminate(String reason) implements Outcome {}

  /** Deliver again later: a passing failure (timeout, unavailable database). */
  record Retry(String reason) implements Outcome {}

  /**
   * How a command to an Order entity settles its message: ack once the entity accepted;
   * terminate when it refused (an unknown order, or a state that can never accept the command);
   * retry on anything passing (timeout, node unreachable).
   */
  static CompletionStage<Outcome> ofReply(String orderId, CompletionStage<?> reply) {
    return reply.handle((state, error) -> {
      if (error == null) return ACK;
      Throwable cause = Database.unwrap(error);
      if (cause instanceof StatusReply.ErrorMessage refused) {
        return new Terminate("order " + orderId + ": " + refused.getMessage());
      }
      return new Retry("order " + orderId + ": " + Database.rootMessage(cause));
    });
  }
}
