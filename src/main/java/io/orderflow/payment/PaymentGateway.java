package io.orderflow.payment;

import java.math.BigDecimal;
import java.util.concurrent.CompletionStage;

/** A payment provider. The idempotency key makes a repeated debit return the first result. */
public interface PaymentGateway {
  sealed interface Result {}

  record Debited(String paymentId) implements Result {}

  record Declined(String reason) implements Result {}

  CompletionStage<Result> debit(String idempotencyKey, String customerId, BigDecimal amount);
}
