package io.orderflow.payment;

import java.math.BigDecimal;
import java.util.concurrent.CompletionStage;

/**
 * A payment provider. The idempotency key makes a repeated call return the first result, so a
 * worker may repeat a call whose answer it lost.
 */
public interface PaymentGateway {
  sealed interface Result {}

  record Debited(String paymentId) implements Result {}

  record Declined(String reason) implements Result {}

  /** The money given back for a payment. */
  record Refunded(String refundId) {}

  CompletionStage<Result> debit(String idempotencyKey, String customerId, BigDecimal amount, String currency);

  /** Gives back {@code amount} of payment {@code paymentId}; fails only for a passing reason (retried). */
  CompletionStage<Refunded> refund(String idempotencyKey, String paymentId, BigDecimal amount);
}
