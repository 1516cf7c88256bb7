package io.orderflow.order;

import io.orderflow.infra.CborSerializable;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** One line of an order. unit_price is exact, at scale 2. */
public record OrderItem(String code, String name, BigDecimal unitPrice, int quantity)
    implements CborSerializable {

  public OrderItem {
    // Exact cents; equal prices compare equal whatever scale a serializer gave them.
    unitPrice = unitPrice.setScale(2, RoundingMode.UNNECESSARY);
  }

  public BigDecimal lineTotal() {
    return unitPrice.multiply(BigDecimal.valueOf(quantity));
  }
}
