package io.orderflow.payment;

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
      if (order.status() != OrderStatus.Pending) {
        log.info("Order {}: payment already settled ({}), skipping redelivery", orderId, order.status());
        return CompletableFuture.completedFuture(order);
      }
      return gateway.debit(orderId, order.customerId(), order.amount()).thenCompose(result -> {
        if (result instanceof PaymentGateway.Debited d) {
          return orders.ask(orderId, replyTo -> new Order.RecordPaymentDebited(d.paymentId(), replyTo));
        }
        String reason = ((PaymentGateway.Declined) result).reason();
        return orders.ask(orderId, replyTo -> new Order.RecordPaymentDeclined(reason, replyTo));
      });
    }));
  }
}
