package io.orderflow.payment;

import io.nats.client.Message;
import io.orderflow.eventstore.JournalEvent;
import io.orderflow.order.Order;
import io.orderflow.order.OrderStatus;
import io.orderflow.order.Orders;
import io.orderflow.worker.OrderMessage;
import io.orderflow.worker.Outcome;
import io.orderflow.worker.Worker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payment side of a rejection: on order.rejected, gives the customer's money back through
 * the gateway and records the refund on the Order entity (order.payment.refunded). One refund
 * per order: an order the entity reports as refunded is skipped, the gateway call carries a key
 * derived from the order id (a retried or concurrent call answers the same refund), and the
 * entity records only the first refund. Declined orders are never rejected, so never refunded.
 */
public final class RefundWorker {
  private static final Logger log = LoggerFactory.getLogger(RefundWorker.class);

  private final Orders orders;
  private final PaymentGateway gateway;

  public RefundWorker(Orders orders, PaymentGateway gateway) {
    this.orders = orders;
    this.gateway = gateway;
  }

  /**
   * Consumer paymentsvc-refunds on order.rejected, role payment, with the gateway of
   * orderflow.payment. A consumer of its own: paymentsvc's filter (order.created) is a contract.
   */
  public static final Worker WORKER = new Worker("payment", JournalEvent.ORDER, "paymentsvc-refunds",
      Order.OrderRejected.TYPE, "orderflow.payment.refunds", node ->
          Worker.perMessage(new RefundWorker(node.orders(), SimulatedPaymentGateway.configured(node.system()))::handle));

  /** The gateway's idempotency key of an order's refund: never the same as its debit's. */
  static String refundKey(String orderId) {
    return orderId + ":refund";
  }

  CompletionStage<Outcome> handle(Message message) {
    String orderId;
    try {
      orderId = OrderMessage.read(message).order().orderId();
    } catch (OrderMessage.PoisonMessage e) {
      return CompletableFuture.completedFuture(new Outcome.Terminate(e.getMessage()));
    }
    // The entity, not the message, says whether a refund is due: it knows of earlier refunds.
    return Outcome.ofReply(orderId, orders.ask(orderId, Order.Get::new).thenCompose(order -> {
      if (order.refundId() != null) {
        log.info("Order {}: already refunded ({}), skipping redelivery", orderId, order.refundId());
        return CompletableFuture.completedFuture(order);
      }
      if (order.status() != OrderStatus.Rejected) {
        // Never due (a message that is not what it claims): terminated like a refused command.
        return CompletableFuture.<Order.State>failedFuture(new StatusReply.ErrorMessage(
            "order " + orderId + " is " + order.status() + ": only a Rejected order is refunded"));
      }
      return gateway.refund(refundKey(orderId), order.paymentId(), order.amount()).thenCompose(refund -> {
        log.info("Order {}: refunded payment {} as {}", orderId, order.paymentId(), refund.refundId());
        return orders.ask(orderId, replyTo -> new Order.RecordRefund(refund.refundId(), replyTo));
      });
    }));
  }
}
