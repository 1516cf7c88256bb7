package io.orderflow.worker;

import io.nats.client.Message;
import io.orderflow.infra.Database;
import io.orderflow.infra.Json;
import io.orderflow.order.Order;
import io.orderflow.order.OrderJson;
import io.orderflow.order.OrderRequest;
import java.io.IOException;

/**
 * An order message as the workers read it from JetStream: the order JSON after the event (the
 * body) and the event's journal sequence number (header {@code Seq-Nr}). A message that cannot
 * be read is a {@link PoisonMessage}: terminated, never retried.
 */
public record OrderMessage(String eventType, OrderJson order, long seqNr) {

  /** A message that can never be processed. */
  public static final class PoisonMessage extends Exception {
    public PoisonMessage(String message) {
      super(message);
    }
  }

  public static OrderMessage read(Message message) throws PoisonMessage {
    if (!Order.EVENT_TYPES.contains(message.getSubject())) {
      throw new PoisonMessage("unknown event type " + message.getSubject());
    }
    OrderJson order;
    try {
      order = Json.MAPPER.readValue(message.getData(), OrderJson.class);
    } catch (IOException | RuntimeException e) {
      throw new PoisonMessage("body is not an order JSON: " + Database.rootMessage(e));
    }
    if (order == null || order.orderId() == null || order.orderId().isBlank()) {
      throw new PoisonMessage("body has no order_id");
    }
    if (!OrderRequest.isValidId(order.orderId())) {
      throw new PoisonMessage("order_id is not a valid order id");
    }
    if (order.status() == null || order.customerId() == null || order.restaurantId() == null
        || order.amount() == null) {
      throw new PoisonMessage("order " + order.orderId() + ": body lacks status, customer_id, restaurant_id or amount");
    }
    return new OrderMessage(message.getSubject(), order, seqNr(message));
  }

  private static long seqNr(Message message) throws PoisonMessage {
    String value = message.hasHeaders() ? message.getHeaders().getFirst("Seq-Nr") : null;
    try {
      long seq = Long.parseLong(value);
      if (seq < 1) throw new NumberFormatException();
      return seq;
    } catch (NumberFormatException e) {
      throw new PoisonMessage("header Seq-Nr is missing or not a positive number: " + value);
    }
  }
}
