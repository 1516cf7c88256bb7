package io.orderflow.http;

import io.orderflow.order.NewOrder;
import io.orderflow.order.OrderRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The {@code Idempotency-Key} request header, for clients that do not choose order ids: the
 * order id is derived from the key (and the customer, so that two customers' keys never meet), so
 * a retry with the same key and body is the same order (201 again, nothing journaled twice) and a
 * different body under the same key answers 409, exactly as a repeated {@code order_id} does.
 * Without a key and without an {@code order_id}, the server picks a random id ({@code newId}:
 * {@link io.orderflow.order.Orders#newOrderId}) before it asks the entity, so that a 503 can name it.
 */
public final class IdempotencyKey {
  public static final String HEADER = "Idempotency-Key";
  public static final int MAX_LENGTH = 255;

  private IdempotencyKey() {}

  /** The order with its id fixed: its own, derived from {@code key}, or a new one from {@code newId}. */
  static NewOrder assignOrderId(NewOrder order, String key, Supplier<String> newId) throws OrderRequest.InvalidOrder {
    if (key == null) {
      return order.orderId() != null ? order : order.withOrderId(newId.get());
    }
    if (key.isEmpty() || key.length() > MAX_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new OrderRequest.InvalidOrder(HEADER,
          "must be 1 to " + MAX_LENGTH + " visible ASCII characters (no spaces), e.g. a UUID");
    }
    if (order.orderId() != null) {
      throw new OrderRequest.InvalidOrder(HEADER, "send either an order_id or an " + HEADER + ", not both");
    }
    return order.withOrderId(orderIdFor(order.customerId(), key));
  }

  /** A name-based UUID of (customer, key): the same pair always gives the same order id. */
  static String orderIdFor(String customerId, String key) {
    return UUID.nameUUIDFromBytes((HEADER + "\n" + customerId + "\n" + key).getBytes(StandardCharsets.UTF_8))
        .toString();
  }
}
