package io.orderflow.review;

import io.nats.client.Message;
import io.orderflow.infra.JetStreamWorker;
import io.orderflow.infra.JetStreamWorker.Outcome;
import io.orderflow.order.Order;
import io.orderflow.order.Orders;
import io.orderflow.order.OrderMessages;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** reviewsvc: on order.payment.debited, applies the ReviewPolicy and approves or rejects. */
public final class ReviewWorker {
  private static final Logger log = LoggerFactory.getLogger(ReviewWorker.class);

  private final Orders orders;
  private final ReviewPolicy policy;

  public ReviewWorker(Orders orders, ReviewPolicy policy) {
    this.orders = orders;
    this.policy = policy;
  }

  public JetStreamWorker.BatchHandler handler() {
    return JetStreamWorker.perMessage(this::handle);
  }

  CompletionStage<Outcome> handle(Message message) {
    Order.State order;
    try {
      order = OrderMessages.state(message);
    } catch (OrderMessages.PoisonMessage e) {
      return CompletableFuture.completedFuture(new Outcome.Terminate(e.getMessage()));
    }
    // The message carries the paid order's full state; Approve and Reject are idempotent on the
    // entity, so a redelivery needs no look-up first.
    String orderId = order.orderId();
    return OrderMessages.settle(orderId, policy.rejectionReason(order)
        .map(reason -> {
          log.info("Order {}: rejected by review: {}", orderId, reason);
          return orders.ask(orderId, replyTo -> new Order.Reject(reason, replyTo));
        })
        .orElseGet(() -> orders.ask(orderId, Order.Approve::new)));
  }
}
