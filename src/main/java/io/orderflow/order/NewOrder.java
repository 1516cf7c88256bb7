package io.orderflow.order;

import io.orderflow.infra.CborSerializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A validated order request: what a client asked for, before the Order entity accepted it.
 * Built only by {@link OrderRequest#parse}, so every instance is valid. It crosses the cluster
 * in {@link Order.Create}; currency came with version 2 of Create ({@link CurrencyMigration.InCreate}).
 */
public record NewOrder(
    String orderId, String customerId, String restaurantId, List<OrderItem> orderItems, BigDecimal amount,
    String currency)
    implements CborSerializable {

  /** The currency of an order that names none, and of every order before currencies existed. */
  public static final String DEFAULT_CURRENCY = "USD";
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  public NewOrder {
    orderItems = List.copyOf(orderItems);
    // Exact cents whatever scale a serializer gave (a migration's JSON tree strips trailing zeros).
    amount = amount.setScale(2, RoundingMode.UNNECESSARY);
    Objects.requireNonNull(currency, "currency");
  }

  public NewOrder withOrderId(String id) {
    return new NewOrder(id, customerId, restaurantId, orderItems, amount, currency);
  }

  /** An ISO 4217 currency code the JDK knows, in capitals: USD, EUR, JPY, ... */
  public static boolean isCurrencyCode(String code) {
    if (code == null || !CURRENCY.matcher(code).matches()) return false;
    try {
      java.util.Currency.getInstance(code);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
