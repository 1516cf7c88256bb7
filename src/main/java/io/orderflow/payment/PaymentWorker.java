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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * paymentsvc: on order.created, debits the customer through the gateway and records the result
 * on the Order entity. Acks only after the entity replied. A redelivery is harmless: an order
 * the entity reports as no longer Pending is skipped, and the gateway call carries the order id
 * as its idempotency key.
 */
public final class PaymentWorker {
  private static final Logger log = LoggerFactory.getLogger(PaymentWorker.class);

  private final Orders orders;
  private final PaymentGateway gateway;

  public PaymentWorker(Orders orders, PaymentGateway gateway) {
    this.orders = orders;
    this.gateway = gateway;
  }

  /** Consumer paymentsvc on order.created, with the simulated gateway of orderflow.payment. */
  public static final Worker WORKER = new Worker("payment", JournalEvent.ORDER, "paymentsvc",
      Order.OrderCreated.TYPE, node ->
          Worker.perMessage(new PaymentWorker(node.orders(), SimulatedPaymentGateway.configured(node.system()))::handle));

  CompletionStage<Outcome> handle(Message message) {
    String orderId;
    try {
      orderId = OrderMessage.read(message).order().orderId();
    } catch (OrderMessage.PoisonMessage e) {
      return CompletableFuture.completedFuture(new Outcome.Terminate(e.getMessage()));
    }
    return Outcome.ofReply(orderId, orders.ask(orderId, Order.Get::new).thenCompose(order -> {
      if (order.status() != OrderStatus.Pending) {
        try (var mdc = MDC.putCloseable("orderId", orderId)) {
          log.info("Order {}: payment already settled ({}), skipping redelivery", orderId, order.status());
        }
        return CompletableFuture.completedFuture(order);
      }
      return gateway.debit(orderId, order.customerId(), order.amount(), order.currency()).thenCompose(result -> {
        if (result instanceof PaymentGateway.Debited d) {
          return orders.ask(orderId, replyTo -> new Order.RecordPaymentDebited(d.paymentId(), replyTo));
        }
        String reason = ((PaymentGateway.Declined) result).reason();
        return orders.ask(orderId, replyTo -> new Order.RecordPaymentDeclined(reason, replyTo));
      });
    }));
  }
}
