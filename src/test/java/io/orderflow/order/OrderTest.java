package io.orderflow.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.order.Order.Decision;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lifecycle rules, given / when / expect, without actors. */
class OrderTest {
  static final NewOrder PHO = new NewOrder("o-1", "c-1", "r-1",
      List.of(new OrderItem("A1", "Pho", new BigDecimal("8.50"), 5)), new BigDecimal("42.50"), "USD");

  static Order.State given(Order.Event... events) {
    Order.State s = Order.State.empty("o-1");
    for (Order.Event e : events) s = s.apply(e);
    return s;
  }

  static final Order.OrderCreated CREATED = new Order.OrderCreated("o-1", "c-1", "r-1", PHO.orderItems(),
      PHO.amount(), "USD", 1_700_000_000L);
  static final Order.PaymentDebited DEBITED = new Order.PaymentDebited("o-1", "pay-1");

  static Order.Event persisted(Decision d) {
    return assertInstanceOf(Decision.Persist.class, d).event();
  }

  static String rejected(Decision d) {
    return assertInstanceOf(Decision.Refused.class, d).reason();
  }

  @Test
  void createOnEmptyPersistsOrderCreatedAndMakesItPending() {
    Order.Event e = persisted(Order.decide(given(), new Order.Create(PHO, 1_700_000_000L, null)));
    assertEquals(CREATED, e);
    Order.State s = given(e);
    assertEquals(OrderStatus.Pending, s.status());
    assertEquals(new BigDecimal("42.50"), s.amount());
    assertEquals(5, s.totalQuantity());
  }

  @Test
  void repeatedCreateWithSameContentIsAcceptedWithoutEvent() {
    NewOrder samePricesOtherScale = new NewOrder("o-1", "c-1", "r-1",
        List.of(new OrderItem("A1", "Pho", new BigDecimal("8.5"), 5)), new BigDecimal("42.5"), "USD");
    assertInstanceOf(Decision.Unchanged.class, Order.decide(given(CREATED), new Order.Create(samePricesOtherScale, 1L, null)));
  }

  @Test
  void createWithOtherContentUnderSameIdIsRejected() {
    NewOrder other = new NewOrder("o-1", "c-2", "r-1", PHO.orderItems(), PHO.amount(), "USD");
    assertTrue(rejected(Order.decide(given(CREATED), new Order.Create(other, 1L, null))).contains("already exists"));
  }

  @Test
  void commandsOnUnknownOrderAreRejected() {
    assertTrue(rejected(Order.decide(given(), new Order.Approve(null))).contains("does not exist"));
    assertTrue(rejected(Order.decide(given(), new Order.Get(null))).contains("does not exist"));
    assertTrue(rejected(Order.decide(given(), new Order.RecordPaymentDebited("p", null))).contains("does not exist"));
  }

  @Test
  void happyPathPendingPaidApproved() {
    Order.Event debit = persisted(Order.decide(given(CREATED), new Order.RecordPaymentDebited("pay-1", null)));
    assertEquals(DEBITED, debit);
    Order.State paid = given(CREATED, debit);
    assertEquals(OrderStatus.Paid, paid.status());
    assertEquals("pay-1", paid.paymentId());
    Order.Event approved = persisted(Order.decide(paid, new Order.Approve(null)));
    Order.State done = paid.apply(approved);
    assertEquals(OrderStatus.Approved, done.status());
    assertEquals("pay-1", done.paymentId());
    assertTrue(done.status().isFinal());
  }

  @Test
  void declinedPaymentEndsTheOrder() {
    Order.Event declined = persisted(Order.decide(given(CREATED), new Order.RecordPaymentDeclined("too much", null)));
    Order.State s = given(CREATED, declined);
    assertEquals(OrderStatus.Declined, s.status());
    assertEquals("too much", s.reason());
    assertNull(s.paymentId());
    assertTrue(rejected(Order.decide(s, new Order.RecordPaymentDebited("p", null))).contains("declined"));
    assertTrue(rejected(Order.decide(s, new Order.Approve(null))).contains("only a Paid order"));
  }

  @Test
  void rejectRecordsTheReason() {
    Order.Event e = persisted(Order.decide(given(CREATED, DEBITED), new Order.Reject("too many", null)));
    Order.State s = given(CREATED, DEBITED, e);
    assertEquals(OrderStatus.Rejected, s.status());
    assertEquals("too many", s.reason());
  }

  @Test
  void repeatsOfWhatHappenedAreAcknowledgedAndPersistNothing() {
    Order.State paid = given(CREATED, DEBITED);
    assertInstanceOf(Decision.Unchanged.class, Order.decide(paid, new Order.RecordPaymentDebited("pay-1", null)));
    Order.State approved = given(CREATED, DEBITED, new Order.OrderApproved("o-1"));
    assertInstanceOf(Decision.Unchanged.class, Order.decide(approved, new Order.Approve(null)));
    assertInstanceOf(Decision.Unchanged.class, Order.decide(approved, new Order.RecordPaymentDebited("pay-1", null)));
    Order.State declined = given(CREATED, new Order.PaymentDeclined("o-1", "x"));
    assertInstanceOf(Decision.Unchanged.class, Order.decide(declined, new Order.RecordPaymentDeclined("x", null)));
    Order.State rejectedState = given(CREATED, DEBITED, new Order.OrderRejected("o-1", "x"));
    assertInstanceOf(Decision.Unchanged.class, Order.decide(rejectedState, new Order.Reject("x", null)));
  }

  @Test
  void commandsThatDoNotFitTheStateAreRejected() {
    assertTrue(rejected(Order.decide(given(CREATED), new Order.Approve(null))).contains("is Pending"));
    assertTrue(rejected(Order.decide(given(CREATED), new Order.Reject("r", null))).contains("is Pending"));
    assertTrue(rejected(Order.decide(given(CREATED, DEBITED), new Order.RecordPaymentDeclined("r", null)))
        .contains("already paid"));
    Order.State approved = given(CREATED, DEBITED, new Order.OrderApproved("o-1"));
    assertTrue(rejected(Order.decide(approved, new Order.Reject("r", null))).contains("is Approved"));
  }

  static final Order.OrderRejected REJECTED = new Order.OrderRejected("o-1", "too many");

  @Test
  void aRejectedOrderIsRefundedOnceAndStaysRejected() {
    Order.Event e = persisted(Order.decide(given(CREATED, DEBITED, REJECTED), new Order.RecordRefund("ref-1", null)));
    assertEquals(new Order.PaymentRefunded("o-1", "ref-1"), e);
    assertEquals(Order.PaymentRefunded.TYPE, e.type());
    Order.State refunded = given(CREATED, DEBITED, REJECTED, e);
    assertEquals(OrderStatus.Rejected, refunded.status());
    assertEquals("ref-1", refunded.refundId());
    assertEquals("pay-1", refunded.paymentId(), "the payment stays on record");
    assertEquals("too many", refunded.reason());
    // A second refund (a redelivery, another gateway answer) persists nothing.
    assertInstanceOf(Decision.Unchanged.class, Order.decide(refunded, new Order.RecordRefund("ref-1", null)));
    assertInstanceOf(Decision.Unchanged.class, Order.decide(refunded, new Order.RecordRefund("ref-2", null)));
    assertInstanceOf(Decision.Unchanged.class, Order.decide(refunded, new Order.Reject("again", null)));
  }

  @Test
  void anOrderIsDoneOnceApprovedDeclinedOrRejectedAndRefunded() {
    assertFalse(given().isDone());
    assertFalse(given(CREATED).isDone());
    assertFalse(given(CREATED, DEBITED).isDone());
    assertTrue(given(CREATED, DEBITED, new Order.OrderApproved("o-1")).isDone());
    assertTrue(given(CREATED, new Order.PaymentDeclined("o-1", "x")).isDone());
    assertFalse(given(CREATED, DEBITED, REJECTED).isDone(), "its refund is still to come");
    assertTrue(given(CREATED, DEBITED, REJECTED, new Order.PaymentRefunded("o-1", "ref-1")).isDone());
  }

  @Test
  void aDoneOrderNeverChangesAgainSoItsEntityMayStop() {
    NewOrder other = new NewOrder("o-1", "c-2", "r-1", PHO.orderItems(), PHO.amount(), "USD");
    List<Order.Command> commands = List.of(new Order.Create(PHO, 1L, null), new Order.Create(other, 1L, null),
        new Order.Get(null), new Order.RecordPaymentDebited("pay-2", null), new Order.RecordPaymentDeclined("x", null),
        new Order.Approve(null), new Order.Reject("x", null), new Order.RecordRefund("ref-2", null));
    List<Order.State> done = List.of(given(CREATED, DEBITED, new Order.OrderApproved("o-1")),
        given(CREATED, new Order.PaymentDeclined("o-1", "x")),
        given(CREATED, DEBITED, REJECTED, new Order.PaymentRefunded("o-1", "ref-1")));
    for (Order.State s : done) {
      assertTrue(s.isDone());
      for (Order.Command c : commands) {
        for (Order.Command sent : List.of(c, fromClient("e-9", c))) {
          Decision d = Order.decide(s, sent);
          assertFalse(d instanceof Decision.Persist, s.status() + " persisted on " + sent + ": " + d);
        }
      }
    }
  }

  @Test
  void onlyARejectedOrderIsRefunded() {
    Order.State declined = given(CREATED, new Order.PaymentDeclined("o-1", "x"));
    assertTrue(rejected(Order.decide(declined, new Order.RecordRefund("ref-1", null))).contains("is Declined"),
        "a declined order was never debited");
    assertTrue(rejected(Order.decide(given(CREATED), new Order.RecordRefund("r", null))).contains("is Pending"));
    assertTrue(rejected(Order.decide(given(CREATED, DEBITED), new Order.RecordRefund("r", null))).contains("is Paid"));
    Order.State approved = given(CREATED, DEBITED, new Order.OrderApproved("o-1"));
    assertTrue(rejected(Order.decide(approved, new Order.RecordRefund("r", null))).contains("is Approved"));
    assertTrue(rejected(Order.decide(given(), new Order.RecordRefund("r", null))).contains("does not exist"));
    assertTrue(Order.EVENT_TYPES.contains("order.payment.refunded"));
  }

  @Test
  void theCurrencyIsPartOfTheOrder() {
    NewOrder inEuro = new NewOrder("o-1", "c-1", "r-1", PHO.orderItems(), PHO.amount(), "EUR");
    var created = assertInstanceOf(Order.OrderCreated.class,
        persisted(Order.decide(given(), new Order.Create(inEuro, 1L, null))));
    assertEquals("EUR", created.currency());
    assertEquals("EUR", given(created).currency());
    assertEquals("USD", given(CREATED).currency());
    assertTrue(rejected(Order.decide(given(CREATED), new Order.Create(inEuro, 1L, null))).contains("already exists"),
        "the same order in another currency is another order");
  }

  @Test
  void tagSliceIsStablePerOrder() {
    assertEquals(io.orderflow.infra.Slices.tagFor("Order|o-1", 4), io.orderflow.infra.Slices.tagFor("Order|o-1", 4));
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 100; i++) seen.add(io.orderflow.infra.Slices.tagFor("Order|o-" + i, 4));
    assertEquals(java.util.Set.of("slice-0", "slice-1", "slice-2", "slice-3"), seen);
    assertEquals("Order|o-1", Order.persistenceIdOf("o-1"));
  }

  // ---- facts sent by clients as events of their own (gRPC CreateEvent) ----

  static final Order.Origin ORIGIN = new Order.Origin("e-1", "Orders");

  static Order.Command fromClient(String eventId, Order.Command c) {
    return new Order.FromClient(new Order.Origin(eventId, "Orders"), c);
  }

  @Test
  void aClientsEventKeepsItsIdAndLabelAndItsRepeatIsAcknowledgedOnce() {
    Order.Event e = persisted(Order.decide(given(CREATED),
        fromClient("e-1", new Order.RecordPaymentDebited("pay-9", null))));
    assertEquals(new Order.PaymentDebited("o-1", "pay-9", ORIGIN), e);
    Order.State paid = given(CREATED, e);
    assertEquals(List.of("e-1"), paid.clientEventIds());
    // The same event id again, whatever it asks: acknowledged, nothing done twice.
    assertInstanceOf(Decision.Unchanged.class, Order.decide(paid, fromClient("e-1", new Order.Approve(null))));
    // Another id for a fact already recorded: the lifecycle says it changes nothing (no double debit).
    assertInstanceOf(Decision.Unchanged.class,
        Order.decide(paid, fromClient("e-2", new Order.RecordPaymentDebited("pay-10", null))));
    // And the lifecycle still decides: an approval of a Pending order is refused with the reason.
    assertTrue(rejected(Order.decide(given(CREATED), fromClient("e-3", new Order.Approve(null))))
        .contains("only a Paid order can be approved"));
  }

  @Test
  void aDebitForAnotherAmountOrCustomerDoesNotPayTheOrder() {
    assertTrue(rejected(Order.decide(given(CREATED),
        new Order.RecordPaymentDebited("p", "c-1", new BigDecimal("40.00"), null))).contains("does not pay it"));
    assertTrue(rejected(Order.decide(given(CREATED),
        new Order.RecordPaymentDebited("p", "c-2", new BigDecimal("42.50"), null))).contains("customer c-1"));
    assertEquals(new Order.PaymentDebited("o-1", "p"), persisted(Order.decide(given(CREATED),
        new Order.RecordPaymentDebited("p", "c-1", new BigDecimal("42.5"), null))));
  }
}
