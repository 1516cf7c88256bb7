package io.orderflow.review;

import com.typesafe.config.Config;
import io.nats.client.Message;
import io.orderflow.eventstore.JournalEvent;
import io.orderflow.order.Order;
import io.orderflow.order.OrderJson;
import io.orderflow.order.Orders;
import io.orderflow.worker.OrderMessage;
import io.orderflow.worker.Outcome;
import io.orderflow.worker.Worker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** reviewsvc: on order.payment.debited, applies the ReviewPolicy and approves or rejects. */
public final class ReviewWorker {
  private static final Logger log = LoggerFactory.getLogger(ReviewWorker.class);

  private final Orders orders;
  private final ReviewPolicy policy;

  public ReviewWorker(Orders orders, ReviewPolicy policy) {
    this.orders = orders;
    this.policy = policy;
  }

  /** Consumer reviewsvc on order.payment.debited, with the policy of orderflow.review. */
  public static final Worker WORKER = new Worker("review", JournalEvent.ORDER, "reviewsvc",
      Order.PaymentDebited.TYPE, node -> {
        Config config = node.system().settings().config().getConfig("orderflow.review");
        var policy = ReviewPolicy.maxQuantity(config.getInt("max-quantity"));
        return Worker.perMessage(new ReviewWorker(node.orders(), policy)::handle);
      });

  CompletionStage<Outcome> handle(Message message) {
    OrderJson order;
    try {
      order = OrderMessage.read(message).order();
    } catch (OrderMessage.PoisonMessage e) {
      return CompletableFuture.completedFuture(new Outcome.Terminate(e.getMessage()));
    }
    // The message carries the paid order's full state; Approve and Reject are idempotent on the
    // entity, so a redelivery needs no look-up first.
    String orderId = order.orderId();
    return Outcome.ofReply(orderId, policy.rejectionReason(order)
        .map(reason -> {
          try (var mdc = MDC.putCloseable("orderId", orderId)) {
            log.info("Order {}: rejected by review: {}", orderId, reason);
          }
          return orders.ask(orderId, replyTo -> new Order.Reject(reason, replyTo));
        })
        .orElseGet(() -> orders.ask(orderId, Order.Approve::new)));
  }
}
