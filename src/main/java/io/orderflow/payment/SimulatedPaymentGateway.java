package io.orderflow.payment;

import com.typesafe.config.Config;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The default gateway: deterministic, so tests and demos can steer outcomes by amount. Debits
 * amounts up to the limit (whatever the currency: it converts nothing) and declines larger ones;
 * payment and refund ids are derived from the idempotency key, so a repeated call answers the same id.
 */
public final class SimulatedPaymentGateway implements PaymentGateway {
  private final BigDecimal maxAmount;

  public SimulatedPaymentGateway(BigDecimal maxAmount) {
    this.maxAmount = maxAmount;
  }

  /** The gateway orderflow.payment configures (max-amount: PAYMENT_MAX_AMOUNT). */
  public static SimulatedPaymentGateway configured(ActorSystem<?> system) {
    Config config = system.settings().config().getConfig("orderflow.payment");
    return new SimulatedPaymentGateway(new BigDecimal(config.getString("max-amount")));
  }

  @Override
  public CompletionStage<Result> debit(String idempotencyKey, String customerId, BigDecimal amount, String currency) {
    if (amount.compareTo(maxAmount) > 0) {
      return CompletableFuture.completedFuture(new Declined(
          "amount " + amount.toPlainString() + " exceeds the limit of " + maxAmount.toPlainString()));
    }
    return CompletableFuture.completedFuture(new Debited("pay_" + idOf(idempotencyKey)));
  }

  @Override
  public CompletionStage<Refunded> refund(String idempotencyKey, String paymentId, BigDecimal amount) {
    return CompletableFuture.completedFuture(new Refunded("ref_" + idOf(idempotencyKey)));
  }

  private static UUID idOf(String idempotencyKey) {
    return UUID.nameUUIDFromBytes(idempotencyKey.getBytes(StandardCharsets.UTF_8));
  }
}
