package io.orderflow.review;

import io.nats.client.Message;
import io.orderflow.infra.JetStreamWorker;
import io.orderflow.infra.JetStreamWorker.Outcome;
import io.orderflow.order.Order;
import io.orderflow.order.OrderStatus;
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
    String orderId;
    try {
      orderId = OrderMessages.orderId(message);
    } catch (OrderMessages.PoisonMessage e) {
      return CompletableFuture.completedFuture(new Outcome.Terminate(e.getMessage()));
    }
    return OrderMessages.settle(orderId, orders.ask(orderId, Order.Get::new).thenCompose(order -> {
      if (order.status() != OrderStatus.Paid) {
        log.info("Order {}: already reviewed ({}), skipping redelivery", orderId, order.status());
        return CompletableFuture.completedFuture(order);
      }
      return policy.rejectionReason(order)
          .map(reason -> orders.ask(orderId, replyTo -> new Order.Reject(reason, replyTo)))
          .orElseGet(() -> orders.ask(orderId, Order.Approve::new));
    }));
  }
}
