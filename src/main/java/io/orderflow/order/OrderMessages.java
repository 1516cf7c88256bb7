package io.orderflow.order;

import io.nats.client.Message;
import io.orderflow.infra.Database;
import io.orderflow.infra.JetStreamWorker.Outcome;
import io.orderflow.infra.Json;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.pattern.StatusReply;

/**
 * Reading the order messages on JetStream (body: the order JSON after the event; header Seq-Nr:
 * its journal sequence number), and how a worker's ask of the entity settles a message.
 */
public final class OrderMessages {
  public static final Set<String> EVENT_TYPES =
      Set.of("order.created", "order.payment.debited", "order.payment.declined", "order.approved", "order.rejected");

  private OrderMessages() {}

  /** A message that can never be processed: terminated and logged, never retried. */
  public static final class PoisonMessage extends Exception {
    public PoisonMessage(String message) {
      super(message);
    }
  }

  public static Order.State state(Message message) throws PoisonMessage {
    if (!EVENT_TYPES.contains(message.getSubject())) {
      throw new PoisonMessage("unknown event type " + message.getSubject());
    }
    Order.State state;
    try {
      state = Json.MAPPER.readValue(message.getData(), Order.State.class);
    } catch (IOException | RuntimeException e) {
      throw new PoisonMessage("body is not an order JSON: " + Database.rootMessage(e));
    }
    if (state == null || state.orderId() == null || state.orderId().isBlank()) {
      throw new PoisonMessage("body has no order_id");
    }
    if (!OrderRequest.isValidId(state.orderId())) {
      throw new PoisonMessage("order_id is not a valid order id");
    }
    if (state.status() == null || state.customerId() == null || state.restaurantId() == null
        || state.amount() == null) {
      throw new PoisonMessage("order " + state.orderId() + ": body lacks status, customer_id, restaurant_id or amount");
    }
    return state;
  }

  public static String orderId(Message message) throws PoisonMessage {
    return state(message).orderId();
  }

  public static long seqNr(Message message) throws PoisonMessage {
    String value = message.hasHeaders() ? message.getHeaders().getFirst("Seq-Nr") : null;
    try {
      long seq = Long.parseLong(value);
      if (seq < 1) throw new NumberFormatException();
      return seq;
    } catch (NumberFormatException e) {
      throw new PoisonMessage("header Seq-Nr is missing or not a positive number: " + value);
    }
  }

  /**
   * Ack once the entity accepted; terminate when it refused (unknown order, or a state that can
   * never accept the command); retry on anything passing (timeout, node unreachable).
   */
  public static CompletionStage<Outcome> settle(String orderId, CompletionStage<Order.State> reply) {
    return reply.handle((state, error) -> {
      if (error == null) return Outcome.ACK;
      Throwable cause = Database.unwrap(error);
      if (cause instanceof StatusReply.ErrorMessage refused) {
        return new Outcome.Terminate("order " + orderId + ": " + refused.getMessage());
      }
      return new Outcome.Retry("order " + orderId + ": " + Database.rootMessage(cause));
    });
  }
}
