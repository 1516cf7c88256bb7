package io.orderflow.order;

/** Order lifecycle: Pending → Paid → Approved | Rejected; Pending → Declined. */
public enum OrderStatus {
  Pending,
  Paid,
  Approved,
  Rejected,
  Declined;

  public boolean isFinal() {
    return this == Approved || this == Rejected || this == Declined;
  }
}
