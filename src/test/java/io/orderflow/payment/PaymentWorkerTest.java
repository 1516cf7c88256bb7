package io.orderflow.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.order.NewOrder;
import io.orderflow.order.Order;
import io.orderflow.order.OrderItem;
import io.orderflow.order.OrderStatus;
import io.orderflow.order.Orders;
import io.orderflow.testing.InMemoryOrders;
import io.orderflow.testing.OrderMessages;
import io.orderflow.worker.Outcome;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** paymentsvc's handler against real Order entities on the in-memory journal: no broker, no database. */
class PaymentWorkerTest {
  static ActorTestKit testKit;
  static InMemoryOrders orders;
  final AtomicInteger debits = new AtomicInteger();
  final PaymentGateway gateway = new PaymentGateway() {
    final SimulatedPaymentGateway simulated = new SimulatedPaymentGateway(new BigDecimal("1000"));

    @Override
    public CompletionStage<Result> debit(String idempotencyKey, String customerId, BigDecimal amount,
        String currency) {
      debits.incrementAndGet();
      return simulated.debit(idempotencyKey, customerId, amount, currency);
    }

    @Override
    public CompletionStage<Refunded> refund(String idempotencyKey, String paymentId, BigDecimal amount) {
      throw new AssertionError("paymentsvc never refunds");
    }
  };

  @BeforeAll
  static void start() {
    testKit = InMemoryOrders.testKit();
    orders = new InMemoryOrders(testKit);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Order.State created(String id, String unitPrice) throws Exception {
    return orders.create(new NewOrder(id, "c-1", "r-1",
        List.of(new OrderItem("A1", "Pho", new BigDecimal(unitPrice), 2)),
        new BigDecimal(unitPrice).multiply(BigDecimal.valueOf(2)), "USD")).toCompletableFuture().get();
  }

  Outcome handle(PaymentWorker worker, String id, Order.State state) throws Exception {
    return worker.handle(OrderMessages.of(Order.OrderCreated.TYPE, state, 1)).toCompletableFuture().get();
  }

  @Test
  void debitsAPendingOrderOnceHoweverOftenTheMessageIsRedelivered() throws Exception {
    Order.State order = created("pay-1", "8.50");
    PaymentWorker worker = new PaymentWorker(orders, gateway);
    assertEquals(Outcome.ACK, handle(worker, "pay-1", order));
    Order.State paid = orders.state("pay-1");
    assertEquals(OrderStatus.Paid, paid.status());
    assertTrue(paid.paymentId().startsWith("pay_"));
    assertEquals(Outcome.ACK, handle(worker, "pay-1", order), "a redelivery is acknowledged");
    assertEquals(1, debits.get(), "the gateway is asked once");
    assertEquals(paid, orders.state("pay-1"));
  }

  @Test
  void declinesWhatTheGatewayDeclines() throws Exception {
    Order.State order = created("pay-2", "600");
    assertEquals(Outcome.ACK, handle(new PaymentWorker(orders, gateway), "pay-2", order));
    Order.State declined = orders.state("pay-2");
    assertEquals(OrderStatus.Declined, declined.status());
    assertTrue(declined.reason().contains("exceeds the limit"));
  }

  @Test
  void poisonMessagesAndUnknownOrdersAreTerminated() throws Exception {
    PaymentWorker worker = new PaymentWorker(orders, gateway);
    var notJson = worker.handle(OrderMessages.raw("order.created", "nope".getBytes(StandardCharsets.UTF_8), 1))
        .toCompletableFuture().get();
    assertTrue(assertInstanceOf(Outcome.Terminate.class, notJson).reason().contains("not an order JSON"));
    Order.State ghost = Order.State.empty("ghost").apply(new Order.OrderCreated("ghost", "c", "r",
        List.of(new OrderItem("A", "x", BigDecimal.ONE, 1)), BigDecimal.ONE, "USD", 1L));
    var unknown = assertInstanceOf(Outcome.Terminate.class, handle(worker, "ghost", ghost));
    assertTrue(unknown.reason().contains("does not exist"), unknown.reason());
    assertEquals(0, debits.get(), "nothing was debited");
  }

  @Test
  void anEntityThatDoesNotAnswerIsRetried() throws Exception {
    Orders silent = (id, command) -> CompletableFuture.failedFuture(new TimeoutException("ask timed out"));
    Order.State order = created("pay-3", "8.50");
    var retry = assertInstanceOf(Outcome.Retry.class, handle(new PaymentWorker(silent, gateway), "pay-3", order));
    assertTrue(retry.reason().contains("ask timed out"));
  }
}
