package io.orderflow.order;

import java.math.BigDecimal;
import java.util.List;

/**
 * The order JSON, as it leaves the process: HTTP bodies, the body of every order message on
 * JetStream (event-carried state) and a read-model row. Field names are the original Go
 * services' (snake_case through {@link io.orderflow.infra.Json}); absent fields are left out.
 * The entity's {@link Order.State} is mapped here and nowhere else, so either can change alone.
 * {@code currency} and {@code refund_id} were added later: readers that do not know them ignore them.
 */
public record OrderJson(
    String orderId, String customerId, String restaurantId, OrderStatus status, long createdOn,
    BigDecimal amount, String currency, List<OrderItem> orderItems, String paymentId, String reason,
    String refundId) {

  public OrderJson {
    orderItems = orderItems == null ? List.of() : List.copyOf(orderItems);
    // Bodies published by the previous version carry no currency: every order was USD then.
    if (currency == null) currency = NewOrder.DEFAULT_CURRENCY;
  }

  public static OrderJson of(Order.State s) {
    return new OrderJson(s.orderId(), s.customerId(), s.restaurantId(), s.status(), s.createdOn(), s.amount(),
        s.currency(), s.orderItems(), s.paymentId(), s.reason(), s.refundId());
  }

  public int totalQuantity() {
    return orderItems.stream().mapToInt(OrderItem::quantity).sum();
  }

  public OrderJson withItems(List<OrderItem> items) {
    return new OrderJson(orderId, customerId, restaurantId, status, createdOn, amount, currency, items, paymentId,
        reason, refundId);
  }
}
