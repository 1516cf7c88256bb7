package io.orderflow.order;

import io.orderflow.infra.CborSerializable;
import java.math.BigDecimal;
import java.util.List;

/**
 * A validated order request: what a client asked for, before the Order entity accepted it.
 * Built only by {@link OrderRequest#parse}, so every instance is valid.
 */
public record NewOrder(
    String orderId, String customerId, String restaurantId, List<OrderItem> orderItems, BigDecimal amount)
    implements CborSerializable {

  public NewOrder {
    orderItems = List.copyOf(orderItems);
  }

  public NewOrder withOrderId(String id) {
    return new NewOrder(id, customerId, restaurantId, orderItems, amount);
  }
}
