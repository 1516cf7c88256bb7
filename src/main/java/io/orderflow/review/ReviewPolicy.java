package io.orderflow.review;

import io.orderflow.order.OrderJson;
import java.util.Optional;

/** Decides whether a paid order is approved. */
public interface ReviewPolicy {
  /** Empty: approve; otherwise the reason for rejecting. */
  Optional<String> rejectionReason(OrderJson order);

  /** Approves unless the order's total quantity exceeds {@code maxQuantity}. */
  static ReviewPolicy maxQuantity(int maxQuantity) {
    return order -> order.totalQuantity() > maxQuantity
        ? Optional.of("total quantity " + order.totalQuantity() + " exceeds " + maxQuantity)
        : Optional.empty();
  }
}
