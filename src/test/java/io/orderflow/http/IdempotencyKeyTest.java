package io.orderflow.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orderflow.order.NewOrder;
import io.orderflow.order.OrderRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyTest {
  static NewOrder order(String orderId, String customer) throws Exception {
    return OrderRequest.parse(("{" + (orderId == null ? "" : "\"order_id\":\"" + orderId + "\",")
        + "\"customer_id\":\"" + customer + "\",\"restaurant_id\":\"r\",\"order_items\":"
        + "[{\"code\":\"A\",\"name\":\"x\",\"unit_price\":1,\"quantity\":1}]}").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theSameKeyAndCustomerAlwaysGiveTheSameValidOrderId() throws Exception {
    String a = IdempotencyKey.assignOrderId(order(null, "c-1"), "key-1").orderId();
    assertEquals(a, IdempotencyKey.assignOrderId(order(null, "c-1"), "key-1").orderId());
    assertTrue(OrderRequest.isValidId(a), a);
    assertNotEquals(a, IdempotencyKey.assignOrderId(order(null, "c-1"), "key-2").orderId());
    assertNotEquals(a, IdempotencyKey.assignOrderId(order(null, "c-2"), "key-1").orderId());
  }

  @Test
  void withoutAKeyTheClientsIdIsKeptOrARandomOneIsFixedBeforeTheEntityIsAsked() throws Exception {
    assertEquals("o-1", IdempotencyKey.assignOrderId(order("o-1", "c"), null).orderId());
    String a = IdempotencyKey.assignOrderId(order(null, "c"), null).orderId();
    String b = IdempotencyKey.assignOrderId(order(null, "c"), null).orderId();
    assertNotEquals(a, b);
    assertTrue(OrderRequest.isValidId(a), a);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "a b", "tab\tkey", "caf\u00e9", "nul\u0000", "\ud800"})
  void keysThatAreNotVisibleAsciiAreRefused(String key) {
    var e = assertThrows(OrderRequest.InvalidOrder.class, () -> IdempotencyKey.assignOrderId(order(null, "c"), key));
    assertEquals("Idempotency-Key", e.field());
  }

  @Test
  void keyLengthIsBounded() throws Exception {
    IdempotencyKey.assignOrderId(order(null, "c"), "k".repeat(255));
    assertThrows(OrderRequest.InvalidOrder.class, () -> IdempotencyKey.assignOrderId(order(null, "c"), "k".repeat(256)));
  }

  @Test
  void aKeyWithAnOrderIdIsAmbiguousAndRefused() {
    var e = assertThrows(OrderRequest.InvalidOrder.class,
        () -> IdempotencyKey.assignOrderId(order("o-1", "c"), "key-1"));
    assertTrue(e.getMessage().contains("not both"), e.getMessage());
  }
}
