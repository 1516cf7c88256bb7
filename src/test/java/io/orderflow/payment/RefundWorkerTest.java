package io.orderflow.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.order.NewOrder;
import io.orderflow.order.Order;
import io.orderflow.order.OrderItem;
import io.orderflow.order.OrderStatus;
import io.orderflow.testing.InMemoryOrders;
import io.orderflow.testing.OrderMessages;
import io.orderflow.worker.Outcome;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The refund handler against real Order entities on the in-memory journal: no broker, no database. */
class RefundWorkerTest {
  static ActorTestKit testKit;
  static InMemoryOrders orders;
  static PersistenceTestKit journal;
  final AtomicInteger refunds = new AtomicInteger();
  final List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
  volatile boolean gatewayDown;

  final PaymentGateway gateway = new PaymentGateway() {
    final SimulatedPaymentGateway simulated = new SimulatedPaymentGateway(new BigDecimal("1000"));

    @Override
    public CompletionStage<Result> debit(String key, String customerId, BigDecimal amount, String currency) {
      throw new AssertionError("the refund worker never debits");
    }

    @Override
    public CompletionStage<Refunded> refund(String idempotencyKey, String paymentId, BigDecimal amount) {
      if (gatewayDown) return CompletableFuture.failedFuture(new IOException("gateway unreachable"));
      refunds.incrementAndGet();
      keys.add(idempotencyKey);
      return simulated.refund(idempotencyKey, paymentId, amount);
    }
  };

  @BeforeAll
  static void start() {
    testKit = InMemoryOrders.testKit();
    orders = new InMemoryOrders(testKit);
    journal = PersistenceTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Order.State created(String id, String unitPrice) throws Exception {
    return orders.create(new NewOrder(id, "c-1", "r-1", List.of(new OrderItem("A1", "Pho", new BigDecimal(unitPrice), 2)),
        new BigDecimal(unitPrice).multiply(BigDecimal.valueOf(2)), "USD")).toCompletableFuture().get();
  }

  static Order.State rejected(String id) throws Exception {
    created(id, "8.50");
    orders.ask(id, r -> new Order.RecordPaymentDebited("pay-" + id, r)).toCompletableFuture().get();
    return orders.ask(id, r -> new Order.Reject("too many", r)).toCompletableFuture().get();
  }

  CompletionStage<Outcome> handle(RefundWorker worker, Order.State state) {
    return worker.handle(OrderMessages.of(Order.OrderRejected.TYPE, state, 3));
  }

  long refundEvents(String id) {
    return journal.persistedInStorage(Order.persistenceIdOf(id)).stream()
        .filter(e -> e instanceof Order.PaymentRefunded).count();
  }

  @Test
  void refundsARejectedOrderOnceHoweverOftenTheMessageIsRedelivered() throws Exception {
    Order.State order = rejected("ref-1");
    RefundWorker worker = new RefundWorker(orders, gateway);
    assertEquals(Outcome.ACK, handle(worker, order).toCompletableFuture().get());
    Order.State refunded = orders.state("ref-1");
    assertEquals(OrderStatus.Rejected, refunded.status());
    assertTrue(refunded.refundId().startsWith("ref_"), refunded.refundId());
    assertEquals("pay-ref-1", refunded.paymentId());
    assertEquals(List.of("ref-1:refund"), keys, "the gateway call carries the order's refund key");

    assertEquals(Outcome.ACK, handle(worker, order).toCompletableFuture().get(), "a redelivery is acknowledged");
    assertEquals(1, refunds.get(), "the gateway is asked once");
    assertEquals(refunded, orders.state("ref-1"));
    assertEquals(1, refundEvents("ref-1"));
  }

  @Test
  void concurrentDeliveriesRecordOneRefund() throws Exception {
    Order.State order = rejected("ref-2");
    RefundWorker worker = new RefundWorker(orders, gateway);
    var first = handle(worker, order).toCompletableFuture();
    var second = handle(worker, order).toCompletableFuture();
    assertEquals(Outcome.ACK, first.get());
    assertEquals(Outcome.ACK, second.get());
    // Both may have reached the gateway; the key makes it answer the same refund, the entity records one.
    assertTrue(keys.stream().allMatch("ref-2:refund"::equals), keys.toString());
    assertEquals(1, refundEvents("ref-2"));
  }

  @Test
  void aDeclinedOrderIsNeverRefunded() throws Exception {
    created("ref-3", "600");
    Order.State declined = orders.ask("ref-3", r -> new Order.RecordPaymentDeclined("over the limit", r))
        .toCompletableFuture().get();
    // A message claiming it was rejected (forged or misrouted) refunds nothing.
    var t = assertInstanceOf(Outcome.Terminate.class, handle(new RefundWorker(orders, gateway), declined)
        .toCompletableFuture().get());
    assertTrue(t.reason().contains("is Declined"), t.reason());
    assertEquals(0, refunds.get());
    assertNull(orders.state("ref-3").refundId());
    assertEquals(0, refundEvents("ref-3"));
  }

  @Test
  void aGatewayOutageIsRetriedAndRecordsNothing() throws Exception {
    Order.State order = rejected("ref-4");
    gatewayDown = true;
    var retry = assertInstanceOf(Outcome.Retry.class, handle(new RefundWorker(orders, gateway), order)
        .toCompletableFuture().get());
    assertTrue(retry.reason().contains("gateway unreachable"), retry.reason());
    assertNull(orders.state("ref-4").refundId());
    gatewayDown = false;
    assertEquals(Outcome.ACK, handle(new RefundWorker(orders, gateway), order).toCompletableFuture().get());
    assertTrue(orders.state("ref-4").refundId().startsWith("ref_"));
  }

  @Test
  void poisonMessagesAreTerminated() throws Exception {
    var notJson = new RefundWorker(orders, gateway)
        .handle(OrderMessages.raw(Order.OrderRejected.TYPE, "nope".getBytes(StandardCharsets.UTF_8), 3))
        .toCompletableFuture().get();
    assertTrue(assertInstanceOf(Outcome.Terminate.class, notJson).reason().contains("not an order JSON"));
    assertEquals(0, refunds.get());
  }
}
