package io.orderflow.payment;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The default gateway: deterministic, so tests and demos can steer outcomes by amount. Debits
 * amounts up to the limit and declines larger ones; the payment id is derived from the
 * idempotency key, so a repeated debit answers the same payment.
 */
public final class SimulatedPaymentGateway implements PaymentGateway {
  private final BigDecimal maxAmount;

  public SimulatedPaymentGateway(BigDecimal maxAmount) {
    this.maxAmount = maxAmount;
  }

  @Override
  public CompletionStage<Result> debit(String idempotencyKey, String customerId, BigDecimal amount) {
    if (amount.compareTo(maxAmount) > 0) {
      return CompletableFuture.completedFuture(new Declined(
          "amount " + amount.toPlainString() + " exceeds the limit of " + maxAmount.toPlainString()));
    }
    String paymentId = "pay_" + UUID.nameUUIDFromBytes(idempotencyKey.getBytes(StandardCharsets.UTF_8));
    return CompletableFuture.completedFuture(new Debited(paymentId));
  }
}
