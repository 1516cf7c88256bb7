package io.orderflow.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.order.OrderJson;
import io.orderflow.order.OrderItem;
import io.orderflow.order.OrderStatus;
import io.orderflow.review.ReviewPolicy;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaymentAndReviewRulesTest {
  final SimulatedPaymentGateway gateway = new SimulatedPaymentGateway(new BigDecimal("1000"));

  PaymentGateway.Result debit(String key, String amount) throws Exception {
    return gateway.debit(key, "c", new BigDecimal(amount), "USD").toCompletableFuture().get();
  }

  @Test
  void gatewayDebitsUpToTheLimitAndAnswersTheSamePaymentForTheSameKey() throws Exception {
    var first = assertInstanceOf(PaymentGateway.Debited.class, debit("o-1", "1000.00"));
    var again = assertInstanceOf(PaymentGateway.Debited.class, debit("o-1", "1000.00"));
    assertEquals(first.paymentId(), again.paymentId());
    var other = assertInstanceOf(PaymentGateway.Debited.class, debit("o-2", "5"));
    assertTrue(!other.paymentId().equals(first.paymentId()));
  }

  @Test
  void gatewayDeclinesAboveTheLimitWithAReason() throws Exception {
    var declined = assertInstanceOf(PaymentGateway.Declined.class, debit("o-3", "1000.01"));
    assertTrue(declined.reason().contains("exceeds the limit of 1000"));
  }

  static OrderJson paid(int... quantities) {
    List<OrderItem> items = java.util.Arrays.stream(quantities)
        .mapToObj(q -> new OrderItem("A", "x", BigDecimal.ONE, q)).toList();
    return new OrderJson("o", "c", "r", OrderStatus.Paid, 1L, new BigDecimal(items.size()), "USD", items, "p", null, null);
  }

  @Test
  void reviewApprovesUpToTheTotalQuantityLimit() {
    ReviewPolicy policy = ReviewPolicy.maxQuantity(100);
    assertTrue(policy.rejectionReason(paid(60, 40)).isEmpty());
    assertEquals("total quantity 101 exceeds 100", policy.rejectionReason(paid(60, 41)).orElseThrow());
  }
}
