package io.orderflow.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.order.NewOrder;
import io.orderflow.order.Order;
import io.orderflow.order.OrderItem;
import io.orderflow.order.OrderStatus;
import io.orderflow.testing.InMemoryOrders;
import io.orderflow.testing.OrderMessages;
import io.orderflow.worker.Outcome;
import java.math.BigDecimal;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** reviewsvc's handler against real Order entities on the in-memory journal. */
class ReviewWorkerTest {
  static ActorTestKit testKit;
  static InMemoryOrders orders;
  static final ReviewPolicy POLICY = ReviewPolicy.maxQuantity(100);

  @BeforeAll
  static void start() {
    testKit = InMemoryOrders.testKit();
    orders = new InMemoryOrders(testKit);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Order.State paid(String id, int quantity) throws Exception {
    orders.create(new NewOrder(id, "c-1", "r-1", List.of(new OrderItem("A1", "Pho", BigDecimal.ONE, quantity)),
        BigDecimal.valueOf(quantity), "USD")).toCompletableFuture().get();
    return orders.ask(id, r -> new Order.RecordPaymentDebited("pay-" + id, r)).toCompletableFuture().get();
  }

  Outcome review(Order.State paid) throws Exception {
    return new ReviewWorker(orders, POLICY).handle(OrderMessages.of(Order.PaymentDebited.TYPE, paid, 2))
        .toCompletableFuture().get();
  }

  @Test
  void approvesWithinThePolicyAndARedeliveryChangesNothing() throws Exception {
    Order.State paid = paid("rev-1", 100);
    assertEquals(Outcome.ACK, review(paid));
    assertEquals(OrderStatus.Approved, orders.state("rev-1").status());
    assertEquals(Outcome.ACK, review(paid), "redelivered");
    assertEquals(OrderStatus.Approved, orders.state("rev-1").status());
  }

  @Test
  void rejectsOverThePolicyWithTheReason() throws Exception {
    assertEquals(Outcome.ACK, review(paid("rev-2", 101)));
    Order.State rejected = orders.state("rev-2");
    assertEquals(OrderStatus.Rejected, rejected.status());
    assertEquals("total quantity 101 exceeds 100", rejected.reason());
  }

  @Test
  void aMessageForAnOrderThatCanNoLongerBeReviewedIsTerminated() throws Exception {
    Order.State paid = paid("rev-3", 1);
    orders.ask("rev-3", r -> new Order.Reject("by hand", r)).toCompletableFuture().get();
    var t = assertInstanceOf(Outcome.Terminate.class, review(paid));
    assertTrue(t.reason().contains("only a Paid order can be approved"), t.reason());
  }
}
